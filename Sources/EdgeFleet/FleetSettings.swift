import OrchestratorDomain

/// Tunables of the node protocol; defaults follow seed 004.
public struct FleetSettings: Sendable {
    public var admission: AdmissionMode
    public var health: HealthPolicy
    /// How long heartbeats may sit in memory before they are written to the database.
    public var heartbeatFlushSeconds: Double
    /// How often the health monitor re-evaluates every node.
    public var healthEvaluationSeconds: Double
    /// The poll interval agents are told, before jitter.
    public var pollIntervalSeconds: Double
    /// The longest `?wait=` a desired-state request may hold.
    public var maxWaitSeconds: Double
    /// How long a resolved node credential is trusted before it is looked up again
    /// (bounds how long a rotated credential keeps working on other replicas).
    public var credentialCacheSeconds: Double
    /// The environments nodes may belong to (the configured deployment environments).
    public var environments: Set<String>
    /// When differences between desired and observed state make a node drifted.
    public var drift = DriftPolicy()

    public init(
        admission: AdmissionMode = .auto, health: HealthPolicy = HealthPolicy(), heartbeatFlushSeconds: Double = 2,
        healthEvaluationSeconds: Double = 5, pollIntervalSeconds: Double = 30, maxWaitSeconds: Double = 60,
        credentialCacheSeconds: Double = 10, environments: Set<String> = Set(EnvironmentPolicy.defaults.keys)
    ) {
        self.environments = environments
        self.admission = admission
        self.health = health
        self.heartbeatFlushSeconds = heartbeatFlushSeconds
        self.healthEvaluationSeconds = healthEvaluationSeconds
        self.pollIntervalSeconds = pollIntervalSeconds
        self.maxWaitSeconds = maxWaitSeconds
        self.credentialCacheSeconds = credentialCacheSeconds
    }
}

/// Why a node operation was refused. The HTTP layer maps each case (see docs/errors.md).
public enum FleetError: Error, Sendable, Equatable {
    case invalidNodeID(String)
    case invalidSpec(String)
    case invalidHeartbeat(String)
    case invalidReport(String)
    /// A report for a module the node was never asked to hold, or past the per-node row cap (the message says which).
    case unexpectedReport(String)
    case unknownEnrollmentToken
    case enrollmentRefused(EnrollmentRefusal)
    /// The id is registered; only that node's credential may re-register it.
    case nodeIDTaken(String)
    case nodeNotFound(String)
    /// The node is `pending` or `rejected`: it may only read its own record.
    case notAdmitted(String, AdmissionState)
    case tokenNotFound(String)
    /// An environment that is not configured (the message names it and the allowed ones).
    case unknownEnvironment(String)
    /// The node tried to set what only its enrollment token or an admin may set (the message names the field).
    case notSetByNode(String)
}
