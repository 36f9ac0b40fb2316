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
    @OptionGroup var page: PageOptions

    func run() async throws {
        let columns = [
            ("ID", "id"), ("MODULE", "moduleName"), ("VERSION", "version"), ("ENVIRONMENT", "environment"), ("STATUS", "status"),
            ("PRIORITY", "priority"), ("CONVERGED", "convergence.converged"), ("TOTAL", "convergence.total"), ("DEPLOYMENT", "deploymentId"),
        ]
        try await options.list(
            "/releases", query: [("status", status), ("moduleName", module), ("environment", environment)], page: page, key: "releases",
            columns: columns)
    }
}
