/// What to deploy, where and how: the body of `POST /api/v1/wasm/deployments`
/// after parsing. Validated by ``DeploymentSpecRules``.
public struct DeploymentSpec: Sendable, Hashable, Codable {
    public var moduleName: String
    public var moduleVersion: String
    public var target: DeploymentTarget
    /// One of the configured environments. Decides both which nodes may be
    /// targeted (only that environment's) and the approval policy.
    public var environment: String
    public var function: FunctionConfig
    public var strategy: RolloutStrategy
    public var failurePolicy: FailurePolicy
    public var description: String?
    /// The release's priority when this deployment creates or changes it (``ReleaseConflictRule``); `nil` keeps it (0 for a new release).
    public var priority: Int?
    /// The release the deployment should change (`releaseId` in the body); `nil` finds or creates it (``ReleaseResolution``).
    public var releaseID: String?
    /// `true`: the deployment retires its release (the module is removed from the release's nodes, cohort by cohort).
    public var retire: Bool?

    public var retires: Bool { retire == true }

    public init(
        moduleName: String, moduleVersion: String, target: DeploymentTarget, environment: String, function: FunctionConfig,
        strategy: RolloutStrategy, failurePolicy: FailurePolicy, description: String? = nil
    ) {
        self.moduleName = moduleName
        self.moduleVersion = moduleVersion
        self.target = target
        self.environment = environment
        self.function = function
        self.strategy = strategy
        self.failurePolicy = failurePolicy
        self.description = description
    }
}

/// Which nodes a deployment is for, among the nodes of the deployment's
/// environment only. A node is targeted when its id is listed
/// in `nodeIds`, or when at least one of `regions`, `zones` and `labels` is
/// given and the node matches every one given (regions and zones are
/// alternatives within themselves, labels are ANDed).
public struct DeploymentTarget: Sendable, Hashable, Codable {
    public var nodeIds: [String]
    public var regions: [String]
    public var zones: [String]
    public var labels: [String: String]
    /// What happens to nodes that are Offline when their cohort is rolled out.
    public var offlineNodes: OfflineNodePolicy

    public init(
        nodeIds: [String] = [], regions: [String] = [], zones: [String] = [], labels: [String: String] = [:],
        offlineNodes: OfflineNodePolicy = .skip
    ) {
        self.nodeIds = nodeIds
        self.regions = regions
        self.zones = zones
        self.labels = labels
        self.offlineNodes = offlineNodes
    }

    public var hasFilter: Bool { !regions.isEmpty || !zones.isEmpty || !labels.isEmpty }

    /// Whether a deployment of `environment` targets `node`: only nodes of the
    /// same environment ever match, and labels match the node's trusted labels
    /// (never what it reports for itself).
    public func matches(_ node: NodeRecord, environment: String) -> Bool {
        guard node.environment == environment else { return false }
        if nodeIds.contains(node.id.value) { return true }
        guard hasFilter else { return false }
        if !regions.isEmpty && !regions.contains(node.spec.region) { return false }
        if !zones.isEmpty && !zones.contains(node.spec.zone) { return false }
        return labels.allSatisfy { node.labels[$0.key] == $0.value }
    }

    /// The nodes of `fleet` a deployment of `environment` targets, and the
    /// nodes named in ``nodeIds`` that belong to another environment (a
    /// deployment naming any of them is refused).
    public func select(from fleet: [NodeRecord], environment: String) -> (targets: [NodeRecord], otherEnvironment: [NodeRecord]) {
        let named = Set(nodeIds)
        var targets: [NodeRecord] = []
        var other: [NodeRecord] = []
        for node in fleet {
            if matches(node, environment: environment) {
                targets.append(node)
            } else if node.environment != environment && named.contains(node.id.value) {
                other.append(node)
            }
        }
        return (targets, other)
    }
}

/// Offline nodes at the moment their cohort starts. Disabled, pending and
/// rejected nodes are always skipped (they may not receive new deployments).
public enum OfflineNodePolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Recorded as skipped; not counted in progress or failures. The default.
    case skip
    /// Given the desired state anyway; a node that does not report in time
    /// counts as timed out, which is a failure.
    case include
}

/// Seed 000's function fields.
public struct FunctionConfig: Sendable, Hashable, Codable {
    /// The export to call, e.g. `_start` or `main`.
    public var entrypoint: String
    /// When set, only nodes with this runtime may be targeted.
    public var runtime: WasmRuntime?
    public var resources: ResourceLimits
    public var env: [String: String]
    public var config: [String: String]
    public var scaling: Scaling

    public init(
        entrypoint: String, runtime: WasmRuntime? = nil, resources: ResourceLimits = ResourceLimits(), env: [String: String] = [:],
        config: [String: String] = [:], scaling: Scaling = Scaling()
    ) {
        self.entrypoint = entrypoint
        self.runtime = runtime
        self.resources = resources
        self.env = env
        self.config = config
        self.scaling = scaling
    }
}

/// Instances per node (seed 000's scaling block).
public struct Scaling: Sendable, Hashable, Codable {
    public var minInstances: Int
    public var maxInstances: Int

    public init(minInstances: Int = 1, maxInstances: Int = 1) {
        self.minInstances = minInstances
        self.maxInstances = maxInstances
    }
}

/// How the target nodes are split into cohorts.
public enum RolloutStrategy: Sendable, Hashable, Codable {
    /// Every target node at once.
    case allAtOnce
    /// Fixed-size batches, then a pause; with `waves`, the batches are cut inside each wave.
    case rolling(batch: BatchSize, pause: StepPause, waves: RolloutWaves? = nil)
    /// Cumulative percentages of the targets, e.g. 5, 25, 100; 100 is implied last.
    /// With `waves`, the percentages apply to each wave in turn.
    case canary(steps: [Int], pause: StepPause, waves: RolloutWaves? = nil)

    public var pause: StepPause {
        switch self {
        case .allAtOnce: .none
        case .rolling(_, let pause, _), .canary(_, let pause, _): pause
        }
    }

    /// The topology the cohorts are grouped by; `nil` for one wave of all targets.
    public var waves: RolloutWaves? {
        switch self {
        case .allAtOnce: nil
        case .rolling(_, _, let waves), .canary(_, _, let waves): waves
        }
    }

    public var name: String {
        switch self {
        case .allAtOnce: "allAtOnce"
        case .rolling: "rolling"
        case .canary: "canary"
        }
    }
}

public enum BatchSize: Sendable, Hashable, Codable {
    case count(Int)
    case percent(Int)
}

/// What happens between two cohorts.
public enum StepPause: Sendable, Hashable, Codable {
    /// Go on as soon as the cohort settled.
    case none
    /// Wait this long after the cohort settled.
    case seconds(Int)
    /// Wait for `POST …/promote`.
    case manual
}

/// When a rollout is judged failed, and what happens then.
public struct FailurePolicy: Sendable, Hashable, Codable {
    public var threshold: FailureThreshold
    /// A dispatched node that has not reported `running` after this long is timed out (a failure).
    public var nodeTimeoutSeconds: Int
    /// A cohort that has not settled this long after it started fails the deployment.
    public var progressDeadlineSeconds: Int
    /// Roll back instead of pausing (threshold) or failing (deadline).
    public var autoRollback: Bool

    public init(threshold: FailureThreshold, nodeTimeoutSeconds: Int, progressDeadlineSeconds: Int, autoRollback: Bool) {
        self.threshold = threshold
        self.nodeTimeoutSeconds = nodeTimeoutSeconds
        self.progressDeadlineSeconds = progressDeadlineSeconds
        self.autoRollback = autoRollback
    }
}

/// Exceeded when failures are *more than* the count, or more than the
/// percentage of nodes dispatched so far (so a canary cohort trips it early).
public enum FailureThreshold: Sendable, Hashable, Codable {
    case count(Int)
    case percent(Int)

    public func isExceeded(failures: Int, dispatched: Int) -> Bool {
        guard failures > 0 else { return false }
        switch self {
        case .count(let limit): return failures > limit
        case .percent(let limit): return dispatched > 0 && failures * 100 > limit * dispatched
        }
    }

    public var text: String {
        switch self {
        case .count(let n): "\(n)"
        case .percent(let p): "\(p)%"
        }
    }
}
