import ArgumentParser
import OrchestratorClient

/// `audit list`.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Read the audit log (admin).", subcommands: [AuditListCommand.self])
}

struct AuditListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List audit events, newest first.")

    @OptionGroup var options: ClientOptions
    @Option(help: "Only this actor (token subject).") var actor: String?
    @Option(help: "Only this action, e.g. deployment.rollback, or a prefix such as deployment.*.") var action: String?
    @Option(help: "Only this target, e.g. deployment:<id> or node:<id>.") var target: String?
    @Option(help: "success or failure.") var outcome: String?
    @Option(help: "Not before this time (RFC 3339).") var since: String?
    @Option(help: "Not after this time (RFC 3339).") var until: String?
    @OptionGroup var page: PageOptions

    func run() async throws {
        let query = [("actor", actor), ("action", action), ("target", target), ("outcome", outcome), ("since", since), ("until", until)]
        try await options.list(
            "/audit-events", query: query, page: page, key: "events",
            columns: [("AT", "occurredAt"), ("ACTOR", "actor"), ("ROLE", "role"), ("ACTION", "action"), ("TARGET", "target"), ("OUTCOME", "outcome")])
    }
}
