import OrchestratorDomain

/// Filters and paging for listing deployments, newest first.
public struct DeploymentQuery: Sendable, Hashable {
    public var state: DeploymentState?
    public var moduleName: String?
    public var environment: String?
    public var createdBy: String?
    /// Continue below this position (exclusive).
    public var beforePosition: Int64?
    public var limit: Int

    public init(
        state: DeploymentState? = nil, moduleName: String? = nil, environment: String? = nil, createdBy: String? = nil,
        beforePosition: Int64? = nil, limit: Int = 50
    ) {
        self.state = state
        self.moduleName = moduleName
        self.environment = environment
        self.createdBy = createdBy
        self.beforePosition = beforePosition
        self.limit = limit
    }
}

/// One atomic step of a deployment: the new record (its `revision` one higher
/// than `expectedRevision`), the changed target rows, the nodes' desired-state
/// writes for the deployment's module and the audit events — all in one
/// transaction, applied only if the stored revision is still `expectedRevision`.
public struct DeploymentCommit: Sendable {
    public var expectedRevision: Int
    public var record: DeploymentRecord
    public var nodes: [DeploymentNode]
    /// Per node: the module to run, or `nil` module to remove `record.spec.moduleName`.
    public var desired: [NodeID: Baseline]
    public var audit: [AuditEvent]
    /// A rollback: desired-state writes apply only to entries this deployment
    /// still owns (a later deployment's entry is never reverted), and never insert.
    public var revertOnly: Bool
    /// The deployment's release as the change leaves it (``ReleaseTransition``), written compare-and-set on
    /// its revision (`revision - 1` is expected; a new release has revision 1). `nil`: the release does not change.
    public var release: ReleaseRecord?

    public init(
        expectedRevision: Int, record: DeploymentRecord, nodes: [DeploymentNode] = [], desired: [NodeID: Baseline] = [:], audit: [AuditEvent] = [],
        revertOnly: Bool = false, release: ReleaseRecord? = nil
    ) {
        self.release = release
        self.revertOnly = revertOnly
        self.expectedRevision = expectedRevision
        self.record = record
        self.nodes = nodes
        self.desired = desired
        self.audit = audit
    }
}

/// Deployments and their per-node rollout rows. Both metadata stores
/// implement it and run the same contract suite.
public protocol DeploymentStore: Sendable {
    /// Inserts a new deployment with its target rows and audit event.
    func createDeployment(_ record: DeploymentRecord, nodes: [DeploymentNode], audit: AuditEvent) async throws
    func deployment(id: String) async throws -> DeploymentRecord?
    /// Newest first; the page position is an opaque insertion order.
    func deployments(_ query: DeploymentQuery) async throws -> Page<DeploymentRecord, Int64>
    /// Deployments in `InProgress` or `Paused`.
    func activeDeployments() async throws -> [DeploymentRecord]
    /// All target rows of a deployment, in node id order.
    func deploymentNodes(of id: String) async throws -> [DeploymentNode]
    /// The latest status report of each node for `module` that names this deployment.
    func statusReports(forDeployment id: String) async throws -> [NodeID: RecordedModuleStatus]
    /// Each node's current desired entry for `module` (absent: the node has none).
    func desiredEntries(module: String, nodes: [NodeID]) async throws -> [NodeID: DesiredModule]
    /// Target rows of other deployments for these nodes (for inherited rollback baselines).
    func deploymentNodes(of id: String, nodes: [NodeID]) async throws -> [NodeID: DeploymentNode]
    /// Applies `commit` if the deployment's revision is still the expected one.
    /// `false` when another writer changed it first (nothing was written).
    /// Throws ``ActiveDeploymentConflict`` when another rollout of the module is active.
    func commit(_ commit: DeploymentCommit) async throws -> Bool
}

/// A commit would make a second deployment of the same module `InProgress`
/// or `Paused` (the stores enforce one active rollout per module).
public struct ActiveDeploymentConflict: Error, Sendable {
    public let module: String
    public init(module: String) { self.module = module }
}

/// Exactly one holder at a time across replicas.
public protocol LeaderElection: Sendable {
    /// Runs `body` while this process holds the lease `name`. Returns `false`
    /// at once when another process holds it. `body` gets a check that throws
    /// once the lease is lost (for example the database connection holding it died).
    func whileLeader(
        _ name: String, _ body: @escaping @Sendable (_ stillLeader: @escaping @Sendable () async throws -> Void) async throws -> Void
    ) async throws -> Bool
}
