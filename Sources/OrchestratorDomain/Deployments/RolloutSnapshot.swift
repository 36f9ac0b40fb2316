/// What a decision about one deployment sees: the deployment, its target nodes' rows
/// and the fleet around them, at one instant (`now`).
public struct RolloutSnapshot: Sendable {
    public var record: DeploymentRecord
    public var nodes: [DeploymentNode]
    /// The latest status report of each target node for this module.
    public var reports: [NodeID: RecordedModuleStatus]
    /// Registered target nodes (missing means deregistered); needed when a cohort is dispatched.
    public var fleet: [NodeID: NodeRecord]
    /// Target nodes that are Offline right now.
    public var offline: Set<NodeID>
    /// Each target node's current desired entry for this module.
    public var current: [NodeID: DesiredModule]
    /// What a node should return to on rollback when it differs from `current`
    /// (its current entry came from a deployment that never completed).
    public var inheritedBaselines: [NodeID: Baseline]
    /// Dispatched nodes that an admin has since moved to another environment
    /// (loaded whenever a rollback may follow). A rollback leaves them unchanged:
    /// their desired state is now their new environment's to decide.
    public var movedToOtherEnvironment: [NodeID: String] = [:]
    /// For `execute`: another active deployment of the same module, which blocks the start.
    public var conflictingDeployment: String?
    /// For `execute`: the version was yanked after the deployment was created.
    public var versionYanked = false
    public var now: Double

    public init(
        record: DeploymentRecord, nodes: [DeploymentNode], reports: [NodeID: RecordedModuleStatus] = [:], fleet: [NodeID: NodeRecord] = [:],
        offline: Set<NodeID> = [], current: [NodeID: DesiredModule] = [:], inheritedBaselines: [NodeID: Baseline] = [:], now: Double
    ) {
        self.record = record
        self.nodes = nodes
        self.reports = reports
        self.fleet = fleet
        self.offline = offline
        self.current = current
        self.inheritedBaselines = inheritedBaselines
        self.now = now
    }
}

/// A node's rollback target; `module == nil` means "remove the module".
public struct Baseline: Sendable, Hashable {
    public var module: DesiredModule?
    public init(module: DesiredModule?) { self.module = module }
}
