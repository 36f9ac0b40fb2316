/// The outcome of one decision: the new deployment, the node rows that changed, and the effects to carry out.
public struct DeploymentDecision: Sendable {
    /// The deployment after the event (timeline included); the use case persists it compare-and-set.
    public var record: DeploymentRecord
    /// Only the target nodes whose row changed.
    public var nodes: [NodeID: DeploymentNode]
    public var effects: [DeploymentEffect]
    /// What the event amounted to, when it ended or paused a rollout (for logs; the metrics are effects).
    public var outcome: Outcome?
    /// An engine tick that found nothing to do: there is nothing to commit.
    public var isUnchanged: Bool

    public enum Outcome: String, Sendable, Hashable {
        case completed, failed, paused, automaticRollback, manualRollback, cancelled, rejected
    }

    public init(
        record: DeploymentRecord, nodes: [NodeID: DeploymentNode] = [:], effects: [DeploymentEffect] = [], outcome: Outcome? = nil,
        isUnchanged: Bool = false
    ) {
        self.record = record
        self.nodes = nodes
        self.effects = effects
        self.outcome = outcome
        self.isUnchanged = isUnchanged
    }

    /// The desired-state writes, by node.
    public var desired: [NodeID: Baseline] {
        var writes: [NodeID: Baseline] = [:]
        for case .writeDesired(let node, let baseline) in effects { writes[node] = baseline }
        return writes
    }

    /// The nodes to wake after the commit.
    public var wakeUps: [NodeID] {
        effects.flatMap { effect -> [NodeID] in if case .wake(let nodes) = effect { nodes } else { [] } }
    }

    public var audits: [DeploymentAuditEntry] {
        effects.compactMap { effect in if case .audit(let entry) = effect { entry } else { nil } }
    }

    public var metrics: [DeploymentMetricEvent] {
        effects.compactMap { effect in if case .metric(let event) = effect { event } else { nil } }
    }

    public var timeline: [DeploymentEvent] {
        effects.compactMap { effect in if case .timeline(let entry) = effect { entry } else { nil } }
    }
}
