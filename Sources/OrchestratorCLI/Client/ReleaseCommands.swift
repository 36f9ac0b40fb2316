import ArgumentParser
import OrchestratorClient

/// `release list`, `release show`.
struct ReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release", abstract: "List releases (what each module should run where).",
        subcommands: [ReleaseListCommand.self, ReleaseShowCommand.self])
}

struct ReleaseListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List releases, newest first (`release show` counts their nodes).")

    @OptionGroup var options: ClientOptions
    @Option(help: "Active or Retired.") var status: String?
    @Option(help: "Only this module.") var module: String?
    @Option(help: "Only this environment.") var environment: String?
    @OptionGroup var page: PageOptions

    func run() async throws {
        let columns = [
            ("ID", "id"), ("MODULE", "moduleName"), ("VERSION", "version"), ("ENVIRONMENT", "environment"), ("STATUS", "status"),
            ("PRIORITY", "priority"), ("DEPLOYMENT", "deploymentId"), ("UPDATED", "updatedAt"),
        ]
        try await options.list(
            "/releases", query: [("status", status), ("moduleName", module), ("environment", environment)], page: page, key: "releases",
            columns: columns)
    }
}

/// `release show ID`: the release with its per-node convergence counts (`GET /releases/{id}`; the listing has none).
struct ReleaseShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a release and how many of its nodes converged.")

    @OptionGroup var options: ClientOptions
    @Argument(help: "Release id.") var id: String

    func run() async throws {
        try await options.run { client in
            let response = try await client.send(.GET, "/releases/\(APIClient.encode(id))")
            guard options.output == .table else { return try options.output.print(response) { _ in "" } }
            let fields = [
                ("release", "id"), ("module", "moduleName"), ("version", "version"), ("digest", "digest"), ("environment", "environment"),
                ("status", "status"), ("priority", "priority"), ("deployment", "deploymentId"), ("converged", "convergence.converged"),
                ("pending", "convergence.pending"), ("failed", "convergence.failed"), ("offline", "convergence.offline"),
                ("drifted", "convergence.drifted"), ("total", "convergence.total"), ("updated", "updatedAt"),
            ]
            Terminal().out(FieldList(fields, item: try response.json()).rendered())
        }
    }
}
