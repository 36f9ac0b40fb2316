import OrchestratorDomain

/// Edge-node protocol settings (defaults from seed 004).
public struct NodeSettings: Sendable {
    /// `nodes.admission` — `auto` (default: a valid enrollment token admits the node) or `manual` (admins accept).
    public var admission: AdmissionMode
    /// `nodes.heartbeatIntervalSeconds` — told to agents; missing two marks a node Unhealthy. Default 30.
    public var heartbeatIntervalSeconds: Int
    /// `nodes.offlineAfterSeconds` — silence after which a node is Offline. Default 120 (seed 004's alert).
    public var offlineAfterSeconds: Int
    /// `nodes.pollIntervalSeconds` — the desired-state poll interval told to agents, before ±20 % jitter. Default 30.
    public var pollIntervalSeconds: Int
    /// `nodes.maxWaitSeconds` — the longest long-poll (`?wait=`) honoured. Default 60.
    public var maxWaitSeconds: Int
    /// `nodes.heartbeatFlushSeconds` — heartbeats become durable in the database within this. Default 2.
    public var heartbeatFlushSeconds: Int
    /// `nodes.healthEvaluationSeconds` — how often health is re-evaluated and transitions recorded. Default 5.
    public var healthEvaluationSeconds: Int
    /// `nodes.credentialCacheSeconds` — how long a resolved node credential is trusted before re-checking. Default 10.
    public var credentialCacheSeconds: Int
    /// `nodes.driftAfterSeconds` — how long a node's observed state may differ from its desired state before it counts as drifted. Default 300.
    public var driftAfterSeconds: Int

    init(_ values: ConfigValues) throws {
        admission = try values.oneOf("nodes.admission", default: .auto, AdmissionMode.self)
        heartbeatIntervalSeconds = try values.int("nodes.heartbeatIntervalSeconds", default: 30, range: 1...3600)
        offlineAfterSeconds = try values.int("nodes.offlineAfterSeconds", default: 120, range: 2...86_400)
        pollIntervalSeconds = try values.int("nodes.pollIntervalSeconds", default: 30, range: 1...3600)
        maxWaitSeconds = try values.int("nodes.maxWaitSeconds", default: 60, range: 0...300)
        heartbeatFlushSeconds = try values.int("nodes.heartbeatFlushSeconds", default: 2, range: 1...60)
        healthEvaluationSeconds = try values.int("nodes.healthEvaluationSeconds", default: 5, range: 1...300)
        credentialCacheSeconds = try values.int("nodes.credentialCacheSeconds", default: 10, range: 0...300)
        driftAfterSeconds = try values.int("nodes.driftAfterSeconds", default: 300, range: 0...86_400)
        guard offlineAfterSeconds > heartbeatIntervalSeconds else {
            throw ConfigurationError(key: "nodes.offlineAfterSeconds", problem: "must be longer than nodes.heartbeatIntervalSeconds")
        }
    }
}
