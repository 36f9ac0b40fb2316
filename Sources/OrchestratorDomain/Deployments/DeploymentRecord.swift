/// A deployment as stored: the spec, the resolved module, the workflow state
/// and the rollout's position. `revision` guards every change (compare and
/// set in the database) and is the deployment's `ETag`.
public struct DeploymentRecord: Sendable, Hashable, Codable {
    public var id: String
    public var spec: DeploymentSpec
    /// The version identity (no build metadata) and the immutable content it resolved to at creation.
    public var versionKey: String
    public var digest: ContentDigest
    public var state: DeploymentState
    public var revision: Int
    public var createdBy: String
    /// The creator's actor chain (who minted the creating token); `nil` when nobody did.
    public var createdByActors: [String]?
    public var createdAt: Double
    public var updatedAt: Double
    public var approvals: [Approval]
    /// The index of the cohort rolled out last; -1 before the first.
    public var currentStep: Int
    public var stepCount: Int
    public var stepStartedAt: Double?
    public var gate: RolloutGate
    public var startedAt: Double?
    public var finishedAt: Double?
    /// Why the deployment is paused, failed, rejected, cancelled or rolled back.
    public var reason: String?
    /// A gate was opened by `promote`; the settled cohort goes on without waiting again.
    public var gateOpened: Bool
    /// Failures an operator accepted by resuming after a threshold pause; the threshold trips again only on new ones.
    public var acknowledgedFailures: Int
    /// The timeline, oldest first, at most ``maxEvents`` (the oldest are dropped).
    public var events: [DeploymentEvent]
    /// The release this deployment creates, changes or retires; `nil` for deployments made before releases existed.
    public var releaseID: String?
    /// The release's `stable` module and its deployment when this deployment started (a rollback after completion returns there).
    public var previousStable: DesiredModule?
    public var previousStableDeploymentID: String?

    public static let maxEvents = 500

    public init(
        id: String, spec: DeploymentSpec, versionKey: String, digest: ContentDigest, state: DeploymentState, createdBy: String,
        createdAt: Double, stepCount: Int
    ) {
        self.id = id
        self.spec = spec
        self.versionKey = versionKey
        self.digest = digest
        self.state = state
        self.revision = 1
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = createdAt
        self.approvals = []
        self.currentStep = -1
        self.stepCount = stepCount
        self.stepStartedAt = nil
        self.gate = .none
        self.startedAt = nil
        self.finishedAt = nil
        self.reason = nil
        self.gateOpened = false
        self.acknowledgedFailures = 0
        self.events = []
    }

    /// Everyone behind the creating token, for separation of duties.
    public var creator: Person { Person(subject: createdBy, actors: createdByActors ?? []) }

    public mutating func record(_ type: String, actor: String, at time: Double, detail: String? = nil, actors: [String] = []) {
        events.append(DeploymentEvent(at: time, type: type, actor: actor, detail: detail, actors: actors))
        if events.count > Self.maxEvents { events.removeFirst(events.count - Self.maxEvents) }
        updatedAt = time
    }

    /// The `DesiredModule` this deployment puts on a node.
    public var desiredModule: DesiredModule {
        var module = DesiredModule(
            name: spec.moduleName, version: spec.moduleVersion, digest: digest, entrypoint: spec.function.entrypoint,
            resources: spec.function.resources, config: spec.function.config, deploymentID: id)
        module.env = spec.function.env.isEmpty ? nil : spec.function.env
        module.scaling = spec.function.scaling
        module.releaseID = releaseID
        return module
    }
}

/// Where a rollout waits between cohorts.
public enum RolloutGate: Sendable, Hashable, Codable {
    case none
    /// Until this time (a timed pause).
    case until(Double)
    /// Until someone calls `promote`.
    case manual
}

/// One entry of a deployment's timeline.
public struct DeploymentEvent: Sendable, Hashable, Codable {
    public var at: Double
    /// e.g. `created`, `approved`, `started`, `step.dispatched`, `paused`, `rolledBack`.
    public var type: String
    public var actor: String
    public var detail: String?
    /// The actor chain of the token `actor` acted with; `nil` when nobody minted it on their behalf.
    public var actors: [String]?

    public init(at: Double, type: String, actor: String, detail: String?, actors: [String] = []) {
        self.actors = actors.isEmpty ? nil : actors
        self.at = at
        self.type = type
        self.actor = actor
        self.detail = detail
    }
}

/// One target node of a deployment.
public struct DeploymentNode: Sendable, Hashable, Codable {
    public var nodeID: NodeID
    /// The cohort (0-based) the node belongs to.
    public var step: Int
    public var state: NodeRolloutState
    /// Why it failed or was skipped, or the agent's latest state while in progress.
    public var message: String?
    public var dispatchedAt: Double?
    public var updatedAt: Double
    /// What the node should run again if this deployment is rolled back:
    /// `nil` with `hasBaseline` means "remove the module".
    public var baseline: DesiredModule?
    public var hasBaseline: Bool
    /// Times `POST …/retry` re-dispatched the node; absent before the first.
    public var retries: Int?

    public init(nodeID: NodeID, step: Int, state: NodeRolloutState = .pending, updatedAt: Double) {
        self.nodeID = nodeID
        self.step = step
        self.state = state
        self.message = nil
        self.dispatchedAt = nil
        self.updatedAt = updatedAt
        self.baseline = nil
        self.hasBaseline = false
    }
}

extension DeploymentNode {
    /// The node's latest report if it speaks of `record` now: the same deployment and digest, received no earlier than the
    /// node's latest dispatch (a report from before a retry belongs to an earlier attempt). The engine's tick and the read
    /// of a finished deployment both judge reports by this one rule.
    public func currentReport(_ recorded: RecordedModuleStatus?, for record: DeploymentRecord) -> ModuleStatusReport? {
        guard let recorded, recorded.reportedAt >= dispatchedAt ?? -.infinity, recorded.report.deploymentID == record.id,
            recorded.report.digest == record.digest
        else { return nil }
        return recorded.report
    }
}

/// A target node's progress within one deployment.
public enum NodeRolloutState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Its cohort has not started.
    case pending = "Pending"
    /// Left out (disabled, not admitted, deregistered, moved away, or cancelled before its cohort).
    case skipped = "Skipped"
    /// Desired state written; waiting for the agent to report `running`.
    case updating = "Updating"
    /// Offline when its cohort started (with `offlineNodes: skip`): its desired state was written and it converges
    /// when it returns; the rollout does not wait for it, and it is neither a failure nor converged until it reports.
    case offline = "Offline"
    case succeeded = "Succeeded"
    case failed = "Failed"
    /// No `running` report within the node timeout.
    case timedOut = "TimedOut"
    /// Reverted by a rollback.
    case rolledBack = "RolledBack"

    /// Desired state was written to the node at some point.
    public var wasDispatched: Bool { [.updating, .offline, .succeeded, .failed, .timedOut, .rolledBack].contains(self) }
    public var isFailure: Bool { self == .failed || self == .timedOut }
    public var isSettled: Bool { self != .pending && self != .updating }
}

/// Progress numbers for `GET /deployments/{id}`.
///
/// `percent` is the share of target nodes that converged (reported `running` with the deployment's module),
/// never the share that merely settled: a deployment whose targets were all offline or skipped is not at 100 %.
public struct DeploymentProgress: Sendable, Hashable, Codable {
    public var percent: Int
    public var counts: [String: Int]
    public var total: Int
    public var convergence: Convergence

    /// Target nodes by where they are with respect to the deployment's module.
    public struct Convergence: Sendable, Hashable, Codable {
        /// Running the deployment's module (`Succeeded`).
        public var converged: Int
        /// Still to be dispatched, or dispatched and not yet reporting (`Pending`, `Updating`).
        public var pending: Int
        /// Dispatched while offline; they converge when they return (`Offline`).
        public var offline: Int
        /// `Failed` or `TimedOut`.
        public var failed: Int
        /// Left out (`Skipped`) or reverted (`RolledBack`).
        public var notTargeted: Int
    }

    public init(nodes: [DeploymentNode], state: DeploymentState) {
        var counts: [String: Int] = [:]
        for state in NodeRolloutState.allCases { counts[state.rawValue] = 0 }
        for node in nodes { counts[node.state.rawValue, default: 0] += 1 }
        total = nodes.count
        self.counts = counts
        func count(_ states: NodeRolloutState...) -> Int { states.reduce(0) { $0 + (counts[$1.rawValue] ?? 0) } }
        convergence = Convergence(
            converged: count(.succeeded), pending: count(.pending, .updating), offline: count(.offline), failed: count(.failed, .timedOut),
            notTargeted: count(.skipped, .rolledBack))
        percent = nodes.isEmpty ? 0 : convergence.converged * 100 / nodes.count
    }
}
