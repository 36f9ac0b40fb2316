import ArgumentParser
import OrchestratorClient

/// `node list|show|enable|disable`.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: "List, inspect, enable and disable edge nodes.",
        subcommands: [NodeListCommand.self, NodeShowCommand.self, NodeEnableCommand.self, NodeDisableCommand.self])
}

struct NodeListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List nodes in id order.")

    @OptionGroup var options: ClientOptions
    @Option(help: "Only this environment.") var environment: String?
    @Option(help: "Only this region.") var region: String?
    @Option(help: "Only this zone.") var zone: String?
    @Option(help: "Label selector, e.g. tier=edge,app=shop.") var selector: String?
    @Option(help: "Only this recorded health: Healthy, Degraded, Unhealthy or Offline.") var health: String?
    @Option(help: "true or false.") var enabled: Bool?
    @Option(help: "pending, accepted or rejected.") var admission: String?
    @Option(help: "true: only nodes whose observed state drifted from their desired state.") var drifted: Bool?
    @OptionGroup var page: PageOptions

    func run() async throws {
        let flag = { (value: Bool?) in value.map { $0 ? "true" : "false" } }
        let query = [
            ("environment", environment), ("region", region), ("zone", zone), ("selector", selector), ("health", health),
            ("enabled", flag(enabled)), ("admission", admission), ("drifted", flag(drifted)),
        ]
        let columns = [
            ("NODE", "nodeId"), ("ENVIRONMENT", "environment"), ("REGION", "region"), ("ZONE", "zone"), ("HEALTH", "health"),
            ("ENABLED", "isEnabled"), ("ADMISSION", "admission"), ("DRIFTED", "drifted"), ("LAST HEARTBEAT", "lastHeartbeat"),
        ]
        try await options.list("/nodes", query: query, page: page, key: "nodes", columns: columns)
    }
}

struct NodeShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a node: its record and the modules it reports (GET /nodes/{id} and …/status).")

    @OptionGroup var options: ClientOptions
    @Argument(help: "Node id.") var id: String

    func run() async throws {
        try await options.run { client in
            let path = "/nodes/\(APIClient.encode(id))"
            let response = try await client.send(.GET, path)
            guard options.output == .table else { return try options.output.print(response) { _ in "" } }
            let fields = [
                ("node", "nodeId"), ("environment", "environment"), ("region", "region"), ("zone", "zone"), ("labels", "labels"),
                ("reported labels", "reportedLabels"), ("runtime", "runtime"), ("runtime version", "runtimeVersion"), ("health", "health"),
                ("enabled", "isEnabled"), ("admission", "admission"), ("last heartbeat", "lastHeartbeat"), ("drifted", "drifted"),
                ("registered", "registeredAt"),
            ]
            // Health evaluated now, unlike the record's `health`, which the monitor last recorded.
            let live = try await client.send(.GET, path + "/health").json()
            let health = FieldList(
                [("live health", "status"), ("cpu %", "cpuUsagePercent"), ("memory MB", "memoryUsageMB"), ("modules loaded", "modulesLoaded")],
                item: live)
            let statuses = try await client.send(.GET, path + "/status").json()["statuses"]?.arrayValue ?? []
            let table = TextTable(
                [("MODULE", "module"), ("VERSION", "version"), ("STATE", "state"), ("DIGEST", "digest"), ("REASON", "reason"), ("AT", "reportedAt")],
                items: statuses)
            Terminal().out(FieldList(fields, item: try response.json()).rendered() + health.rendered() + "\n" + table.rendered())
        }
    }
}

/// `PUT /nodes/{id}` with `{"isEnabled": …}`.
func setEnabled(_ enabled: Bool, node id: String, options: ClientOptions) async throws {
    try await options.run { client in
        let response = try await client.send(.PUT, "/nodes/\(APIClient.encode(id))", json: .object(["isEnabled": .bool(enabled)]))
        try options.output.print(response) { node in "\(id) is \(node["isEnabled"] == .bool(true) ? "enabled" : "disabled")\n" }
    }
}

struct NodeEnableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Make a node a target of new deployments again.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Node id.") var id: String

    func run() async throws { try await setEnabled(true, node: id, options: options) }
}

struct NodeDisableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Stop targeting a node with new deployments (the agent keeps running).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Node id.") var id: String

    func run() async throws { try await setEnabled(false, node: id, options: options) }
}
