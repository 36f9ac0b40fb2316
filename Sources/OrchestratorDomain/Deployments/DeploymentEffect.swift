/// Something a decision asks the use case to carry out. Effects are data: the
/// decision function performs none of them, so it stays pure and testable.
public enum DeploymentEffect: Sendable, Hashable {
    /// Write this module's desired entry on a node: `Baseline.module` to run, or `nil` to remove it.
    /// Committed in the same transaction as the deployment.
    case writeDesired(NodeID, Baseline)
    /// After the commit: wake these nodes' long-polls on every replica.
    case wake([NodeID])
    /// Recorded in the same transaction as the deployment.
    case audit(DeploymentAuditEntry)
    /// After the commit: bump a deployment metric.
    case metric(DeploymentMetricEvent)
    /// An entry appended to the deployment's timeline; it is stored with the new deployment itself.
    case timeline(DeploymentEvent)
}

/// An audit event as the decision knows it; the use case adds the target, request id and time.
public struct DeploymentAuditEntry: Sendable, Hashable {
    /// A dotted verb: `deployment.approve`, or for the engine the state reached (`deployment.completed`).
    public var action: String
    public var actor: String
    /// The actor chain of the caller's token, innermost first.
    public var actors: [String]
    public var outcome: AuditEvent.Outcome

    public init(action: String, actor: String, actors: [String] = [], outcome: AuditEvent.Outcome = .success) {
        self.action = action
        self.actor = actor
        self.actors = actors
        self.outcome = outcome
    }
}

/// A deployment metric to record; the metric names live in the use case's metrics object.
public enum DeploymentMetricEvent: Sendable, Hashable {
    /// `wasm_deployments_total{outcome}`, and the rollout duration when the deployment had started.
    case finished(outcome: String, rolloutSeconds: Double?)
    /// Seed 004's `wasm_deployments_failed_total`.
    case failed
    /// `wasm_deployment_rollbacks_total{trigger}`.
    case rolledBack(RollbackTrigger)
}

/// Who asked for a rollback: a person, or the engine after a failure.
public enum RollbackTrigger: String, Sendable, Hashable {
    case manual, automatic
}
