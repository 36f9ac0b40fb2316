/// A release: in one environment, the nodes its selector matches run one module at one version
/// with one function configuration. Deployments are the only thing that creates, changes or
/// retires a release (see `docs/deployments.md`, "Releases and convergence").
///
/// `stable` is what every matching node runs; while a deployment is rolling a new version out
/// (or stopped part-way: cancelled or failed), `rollout` names it and the nodes it has dispatched
/// run its module instead. `revision` guards every change.
public struct ReleaseRecord: Sendable, Hashable, Codable {
    public var id: String
    public var environment: String
    public var moduleName: String
    /// Which nodes of ``environment`` the release is for: ids, regions, zones, trusted labels.
    public var selector: DeploymentTarget
    /// Higher wins when two releases of the same module match one node (see ``ReleaseConflictRule``).
    public var priority: Int
    public var state: ReleaseState
    /// What matching nodes run; `nil` before the first rollout completes, and after retirement.
    public var stable: DesiredModule?
    /// The deployment that made ``stable`` what it is.
    public var stableDeploymentID: String?
    /// The deployment rolling out, or stopped part-way; its dispatched nodes run its module.
    public var rollout: ReleaseRollout?
    public var createdAt: Double
    public var updatedAt: Double
    public var revision: Int

    public init(
        id: String, environment: String, moduleName: String, selector: DeploymentTarget, priority: Int, createdAt: Double
    ) {
        self.id = id
        self.environment = environment
        self.moduleName = moduleName
        self.selector = selector
        self.priority = priority
        self.state = .active
        self.stable = nil
        self.stableDeploymentID = nil
        self.rollout = nil
        self.createdAt = createdAt
        self.updatedAt = createdAt
        self.revision = 1
    }

    /// Whether `node` is one of the release's nodes: same environment and the selector matches
    /// its trusted labels, region, zone or id. Admission and enablement are not the selector's concern.
    public func selects(_ node: NodeRecord) -> Bool {
        state == .active && selector.matches(node, environment: environment)
    }
}

/// An active release is in force; a retired one matches no node and is kept for the record.
public enum ReleaseState: String, Sendable, Hashable, Codable, CaseIterable {
    case active = "Active"
    case retired = "Retired"
}

/// The deployment that is changing a release, and what it puts on the nodes it dispatched.
public struct ReleaseRollout: Sendable, Hashable, Codable {
    public var deploymentID: String
    /// `nil` for a retirement: dispatched nodes have the module removed.
    public var module: DesiredModule?
    /// `true` while the deployment is `InProgress` or `Paused`; `false` once it stopped part-way
    /// (cancelled, or failed without rollback), when its dispatched nodes keep its module until the next deployment.
    public var isActive: Bool

    public init(deploymentID: String, module: DesiredModule?, isActive: Bool) {
        self.deploymentID = deploymentID
        self.module = module
        self.isActive = isActive
    }
}
