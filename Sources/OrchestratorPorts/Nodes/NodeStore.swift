import OrchestratorDomain

/// What ``NodeStore/enroll(_:)`` did.
public enum EnrollmentOutcome: Sendable, Equatable {
    case registered(NodeRecord)
    /// No enrollment token has this hash (never issued, or revoked).
    case unknownToken
    /// The token exists but may not register this node.
    case refused(EnrollmentRefusal)
    /// The node id is taken; only that node's own credential may re-register it.
    case nodeExists
}

/// A registration presenting an enrollment token.
public struct Enrollment: Sendable {
    public var tokenHash: String
    public var nodeID: NodeID
    public var spec: NodeSpec
    public var admission: AdmissionState
    public var credentialHash: String
    public var at: Double

    public init(tokenHash: String, nodeID: NodeID, spec: NodeSpec, admission: AdmissionState, credentialHash: String, at: Double) {
        self.tokenHash = tokenHash
        self.nodeID = nodeID
        self.spec = spec
        self.admission = admission
        self.credentialHash = credentialHash
        self.at = at
    }
}

/// A node credential resolved to its node.
public struct NodeCredentialOwner: Sendable, Hashable {
    public let nodeID: NodeID
    public let admission: AdmissionState

    public init(nodeID: NodeID, admission: AdmissionState) {
        self.nodeID = nodeID
        self.admission = admission
    }
}

/// A heartbeat to make durable, with the time it arrived.
public struct HeartbeatSnapshot: Sendable, Hashable {
    public let nodeID: NodeID
    public let at: Double
    public let heartbeat: Heartbeat

    public init(nodeID: NodeID, at: Double, heartbeat: Heartbeat) {
        self.nodeID = nodeID
        self.at = at
        self.heartbeat = heartbeat
    }
}

/// One node's status report for one module, with when it arrived.
public struct RecordedStatus: Sendable, Hashable {
    public let node: NodeID
    public let status: RecordedModuleStatus

    public init(node: NodeID, status: RecordedModuleStatus) {
        self.node = node
        self.status = status
    }
}

/// A recorded change of a node's health.
public struct HealthTransition: Sendable, Hashable, Codable {
    public let nodeID: NodeID
    public let from: NodeHealth
    public let to: NodeHealth
    public let at: Double

    public init(nodeID: NodeID, from: NodeHealth, to: NodeHealth, at: Double) {
        self.nodeID = nodeID
        self.from = from
        self.to = to
        self.at = at
    }
}

/// Edge nodes, enrollment tokens, desired state and status reports. Both
/// metadata stores implement it and run the same contract suite. Every
/// mutating call that an operator or agent causes takes the audit event to
/// append in the same transaction.
public protocol NodeStore: Sendable {
    // MARK: Enrollment tokens
    func createEnrollmentToken(_ token: EnrollmentTokenRecord, secretHash: String, audit: AuditEvent) async throws
    func enrollmentTokens(includeExpiredBefore cutoff: Double?) async throws -> [EnrollmentTokenRecord]
    /// The token with this secret hash, read without any write (no transaction, no lock).
    func enrollmentToken(secretHash: String) async throws -> EnrollmentTokenRecord?
    /// Revokes a token; `false` when there was none.
    func deleteEnrollmentToken(id: String, audit: AuditEvent) async throws -> Bool

    // MARK: Nodes
    /// Atomically checks the token (`EnrollmentRules`), consumes one use and
    /// inserts the node with its credential hash. The node gets the token's
    /// environment and labels (trusted); `spec.labels` are stored as reported.
    func enroll(_ enrollment: Enrollment, audit: AuditEvent) async throws -> EnrollmentOutcome
    /// Replaces a node's spec (re-registration by the node itself). Never
    /// changes the environment or the trusted labels.
    func updateSpec(of id: NodeID, to spec: NodeSpec, at time: Double, audit: AuditEvent) async throws -> NodeRecord?
    func node(_ id: NodeID) async throws -> NodeRecord?
    /// In id order. Label terms are matched exactly.
    func nodes(_ query: NodeQuery) async throws -> Page<NodeRecord, String>
    /// Every node, for the health monitor and gauges.
    func allNodes() async throws -> [NodeRecord]
    /// Applies an admin's change (``NodeUpdate/applied(to:)``) with its audit events, in one transaction.
    func updateNode(_ id: NodeID, _ update: NodeUpdate, at time: Double, audit: [AuditEvent]) async throws -> NodeRecord?
    func setAdmission(_ id: NodeID, _ state: AdmissionState, at time: Double, audit: AuditEvent) async throws -> NodeRecord?
    /// Replaces the credential hash; the old credential stops working.
    func replaceCredential(of id: NodeID, with hash: String, at time: Double, audit: AuditEvent) async throws -> Bool
    /// Deregisters: removes the node, its credential, desired state and status reports.
    func deleteNode(_ id: NodeID, audit: AuditEvent) async throws -> Bool
    func credentialOwner(hash: String) async throws -> NodeCredentialOwner?

    // MARK: Heartbeats and health
    /// Writes the newest heartbeat per node in one batch; older ones than stored are ignored.
    func recordHeartbeats(_ batch: [HeartbeatSnapshot]) async throws
    /// Compare-and-set of the recorded health, appending the transition. `false` when another replica got there first.
    func recordHealthTransition(_ transition: HealthTransition) async throws -> Bool
    func healthTransitions(of id: NodeID, limit: Int) async throws -> [HealthTransition]

    // MARK: Desired state and status
    func desiredModules(of id: NodeID) async throws -> [DesiredModule]
    /// Several nodes' desired modules in one query (nodes without any are absent).
    func desiredModules(of ids: [NodeID]) async throws -> [NodeID: [DesiredModule]]
    /// Replaces a node's desired modules (used by the deployments engine).
    func setDesiredModules(_ modules: [DesiredModule], for id: NodeID) async throws
    /// Many nodes' reports in one statement (at most one per node and module); reports of
    /// deregistered nodes and reports older than the stored one are skipped.
    func recordStatuses(_ batch: [RecordedStatus]) async throws
    func moduleStatuses(of id: NodeID) async throws -> [RecordedModuleStatus]
}

extension NodeStore {
    /// Pages through `fetch` (SQL-side filters) and applies label terms (trusted labels) and
    /// health in Swift until `query.limit` matches are found, so label filtering needs
    /// no dialect-specific JSON SQL.
    public func filteredPage(
        _ query: NodeQuery, fetch: (_ afterID: String?, _ batch: Int) async throws -> [NodeRecord]
    ) async throws -> Page<NodeRecord, String> {
        var matches: [NodeRecord] = []
        var after = query.afterID
        let batch = max(query.limit + 1, 200)
        while true {
            let rows = try await fetch(after, batch)
            for row in rows
            where query.labels.allSatisfy({ row.labels[$0.key] == $0.value })
                && (query.health.map { $0 == row.recordedHealth } ?? true)
            {
                matches.append(row)
                if matches.count > query.limit {
                    let page = Array(matches.prefix(query.limit))
                    return Page(items: page, next: page.last?.id.value)
                }
            }
            guard rows.count == batch, let last = rows.last else { return Page(items: matches, next: nil) }
            after = last.id.value
        }
    }
}
