import ArgumentParser
import OrchestratorClient

/// `deploy …`: create, preview, approve and steer deployments.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy", abstract: "Create, approve, run, watch and roll back deployments.",
        subcommands: [
            DeployCreateCommand.self, DeployPlanCommand.self, DeployListCommand.self, DeployStatusCommand.self, DeployNodesCommand.self,
            DeployApproveCommand.self, DeployRejectCommand.self, DeployExecuteCommand.self, DeployPromoteCommand.self,
            DeployPauseCommand.self, DeployResumeCommand.self, DeployCancelCommand.self, DeployRollbackCommand.self,
            DeployRetryCommand.self,
        ])
}

struct DeployCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a deployment from flags or -f FILE (JSON or YAML); prints its id.")

    @OptionGroup var options: ClientOptions
    @OptionGroup var spec: DeploymentSpecOptions
    @Option(help: "Idempotency-Key, so that a retried create (a CI re-run) creates one deployment.") var idempotencyKey: String?

    func run() async throws {
        let body = try spec.body()
        try await options.run { client in
            let response = try await client.send(
                .POST, "/deployments", json: body, headers: idempotencyKey.map { [("Idempotency-Key", $0)] } ?? [])
            try options.output.print(response) { deployment in
                let snapshot = DeploymentSnapshot(deployment: deployment, nodes: [])
                return "created \(deployment["id"]?.cellText ?? "?") (\(snapshot.status), digest \(deployment["digest"]?.cellText ?? "?"))\n"
            }
        }
    }
}

struct DeployPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Preview a deployment (dry run): targets, cohorts, approvals and warnings; creates nothing.")

    @OptionGroup var options: ClientOptions
    @OptionGroup var spec: DeploymentSpecOptions

    func run() async throws {
        let body = try spec.body()
        try await options.run { client in
            let response = try await client.send(.POST, "/deployments", query: [("dryRun", "true")], json: body)
            try options.output.print(response) { plan in
                var text = "\(plan["moduleName"]?.cellText ?? "?")@\(plan["moduleVersion"]?.cellText ?? "?") (\(plan["digest"]?.cellText ?? "?"))"
                text += " -> \(plan["environment"]?.cellText ?? "?"): \(plan["targets"]?.arrayValue?.count ?? 0) target node(s)\n"
                let approvals = plan["approvals"]
                text += "approvals: \(approvals?["required"]?.cellText ?? "0") required from \(approvals?["approverRoles"]?.cellText ?? "-")"
                text += approvals?["selfApproval"] == .bool(true) ? " (self-approval allowed)\n\n" : " (not the creator)\n\n"
                text += TextTable(
                    headers: ["COHORT", "WAVE", "NODES", "NODE IDS"],
                    rows: (plan["cohorts"]?.arrayValue ?? []).map { cohort in
                        let ids = cohort["nodeIds"]?.arrayValue ?? []
                        return [cohort["cohort"]?.cellText ?? "", cohort["wave"]?.cellText ?? "", "\(ids.count)", JSONValue.array(ids).cellText]
                    }
                ).rendered()
                for warning in plan["warnings"]?.arrayValue ?? [] { text += "warning: \(warning["message"]?.cellText ?? "")\n" }
                return text
            }
        }
    }
}

struct DeployListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List deployments, newest first.")

    @OptionGroup var options: ClientOptions
    @Option(help: "Only this status, e.g. InProgress.") var status: String?
    @Option(help: "Only this module.") var module: String?
    @Option(help: "Only this environment.") var environment: String?
    @Option(help: "Only deployments created by this subject.") var createdBy: String?
    @OptionGroup var page: PageOptions

    func run() async throws {
        let query = [("status", status), ("moduleName", module), ("environment", environment), ("createdBy", createdBy)]
        let columns = [
            ("ID", "id"), ("MODULE", "moduleName"), ("VERSION", "moduleVersion"), ("ENVIRONMENT", "environment"), ("STATUS", "status"),
            ("CREATED BY", "createdBy"), ("CREATED", "createdAt"),
        ]
        try await options.list("/deployments", query: query, page: page, key: "deployments", columns: columns)
    }
}

struct DeployStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a deployment: cohorts, node counts, recent events; --watch follows it to the end.",
        discussion: """
            With --watch the view is redrawn on a terminal, or one line is printed per change when standard output \
            is not a terminal (-o json: the deployment's JSON, one line per change). It ends when the deployment is \
            final and exits 0 for Completed, 5 for Failed, RolledBack, Cancelled or Rejected.
            """)

    @OptionGroup var options: ClientOptions
    @Argument(help: "Deployment id.") var id: String
    @Flag(help: "Follow the deployment until it is final.") var watch = false
    @Option(help: "Seconds between polls with --watch (0.2-60).") var interval: Double = 2

    func validate() throws {
        guard interval.isFinite, (0.2...60).contains(interval) else { throw ValidationError("--interval takes 0.2 to 60 seconds") }
    }

    func run() async throws {
        try await options.run { client in
            guard watch else {
                let response = try await client.send(.GET, "/deployments/\(APIClient.encode(id))")
                var nodes: [JSONValue] = []
                if options.output == .table { nodes = try await client.allNodes(ofDeployment: id) }
                return try options.output.print(response) { DeploymentSnapshot(deployment: $0, nodes: nodes).frame() }
            }
            let terminal = Terminal()
            let style: DeploymentWatch.Style = options.output == .json ? .json : (terminal.stdoutIsTerminal ? .redraw : .lines)
            let final = try await DeploymentWatch(client: client, id: id, interval: .milliseconds(Int(interval * 1000)), style: style).run()
            guard final.status == "Completed" else {
                throw ClientError.unsuccessful(status: final.status, reason: final.deployment["reason"]?.stringValue)
            }
        }
    }
}

struct DeployNodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes", abstract: "List a deployment's target nodes with their cohort, state and latest message.")

    @OptionGroup var options: ClientOptions
    @Argument(help: "Deployment id.") var id: String
    @Option(help: "Only this state: Pending, Updating, Succeeded, Failed, TimedOut, Skipped, Offline or RolledBack.") var state: String?
    @OptionGroup var page: PageOptions

    func run() async throws {
        try await options.list(
            "/deployments/\(APIClient.encode(id))/nodes", query: [("state", state)], page: page, key: "nodes",
            columns: [("NODE", "nodeId"), ("COHORT", "cohort"), ("STATE", "state"), ("DISPATCHED", "dispatchedAt"), ("MESSAGE", "message")])
    }
}
