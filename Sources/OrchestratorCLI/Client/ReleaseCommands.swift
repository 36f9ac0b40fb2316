import ArgumentParser
import OrchestratorClient

/// `release list`.
struct ReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release", abstract: "List releases (what each module should run where).", subcommands: [ReleaseListCommand.self])
}

struct ReleaseListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List releases, newest first, with their convergence.")

    @OptionGroup var options: ClientOptions
    @Option(help: "Active or Retired.") var status: String?
    @Option(help: "Only this module.") var module: String?
    @Option(help: "Only this environment.") var environment: String?
    @Option(help: "Page size, 1-200.") var limit: Int?
    @Option(help: "The nextCursor of the previous page.") var cursor: String?

    func run() async throws {
        try await options.run { client in
            let query = [
                ("status", status), ("moduleName", module), ("environment", environment), ("limit", limit.map(String.init)), ("cursor", cursor),
            ]
            let response = try await client.send(.GET, "/releases", query: query)
            try options.output.print(response) { page in
                moreHint(page)
                return TextTable(
                    [
                        ("ID", "id"), ("MODULE", "moduleName"), ("VERSION", "version"), ("ENVIRONMENT", "environment"), ("STATUS", "status"),
                        ("PRIORITY", "priority"), ("CONVERGED", "convergence.converged"), ("TOTAL", "convergence.total"),
                        ("DEPLOYMENT", "deploymentId"),
                    ], items: page["releases"]?.array ?? []
                ).rendered()
            }
        }
    }
}
