/// The one place that decides what happens to a deployment.
///
/// `decide` is a pure function of (deployment, event, fleet snapshot, now): the
/// snapshot carries the deployment, its node rows, the fleet around them and the
/// instant. It returns the new deployment with the effects to carry out
/// (desired-state writes, wake-ups, audit, metrics, timeline), or a refusal.
/// The use cases load, call it, commit compare-and-set and carry out the
/// effects; no other code changes a deployment's state. Which commands are
/// legal from which state is ``DeploymentStateMachine``'s table; who may send a
/// command stays in ``AccessPolicy`` and ``ApprovalRules``.
public enum DeploymentDecider {
    /// Everything that can happen to a deployment, by a person or by the rollout engine.
    public enum Event: Sendable {
        /// A new deployment (`snapshot.record` is the draft with its cohorts): `Approved` at once, or `PendingApproval`.
        /// `summary` opens the timeline's `created` entry.
        case submit(by: Principal, summary: String, policy: EnvironmentPolicy)
        /// Expired approvals no longer count: an `Approved` deployment whose approvals expired is pending again.
        case approve(by: Principal, comment: String?, reviewedDigest: ContentDigest?, policy: EnvironmentPolicy)
        case reject(by: Principal, reason: String)
        /// Seed 004's `execute`: completes the approvals with the caller's own when that suffices, then starts.
        case execute(by: Principal, note: String?, policy: EnvironmentPolicy)
        case pause(by: Principal, reason: String?)
        case resume(by: Principal)
        case promote(by: Principal)
        case cancel(by: Principal, reason: String?)
        case rollback(by: Principal, reason: String, trigger: RollbackTrigger)
        /// Re-dispatches failed or timed-out nodes (`nodes` empty: all of them), within each node's retry budget.
        case retry(by: Principal, nodes: [NodeID], budget: Int)
        /// One engine pass: reports, timeouts, the failure threshold, the progress deadline, gates,
        /// dispatch, completion and automatic rollback.
        case tick

        /// The audit action of a command; the engine's audits name the state reached instead.
        public var action: String {
            switch self {
            case .submit: "deployment.create"
            case .approve: "deployment.approve"
            case .reject: "deployment.reject"
            case .execute: "deployment.execute"
            case .pause: "deployment.pause"
            case .resume: "deployment.resume"
            case .promote: "deployment.promote"
            case .cancel: "deployment.cancel"
            case .rollback: "deployment.rollback"
            case .retry: "deployment.retry"
            case .tick: "deployment.evaluate"
            }
        }

        /// Who sent the command; `nil` for the engine.
        public var principal: Principal? {
            switch self {
            case .submit(let by, _, _), .approve(let by, _, _, _), .reject(let by, _), .execute(let by, _, _), .pause(let by, _), .resume(let by),
                .promote(let by), .cancel(let by, _), .rollback(let by, _, _), .retry(let by, _, _):
                by
            case .tick: nil
            }
        }
    }

    /// The engine's name in timelines and audit events.
    public static let engineActor = "rollout-engine"

    /// Decides `event` for `snapshot.record` at `snapshot.now`.
    public static func decide(_ event: Event, _ snapshot: RolloutSnapshot) -> Result<DeploymentDecision, DeploymentRefusal> {
        let decided: Result<Change?, DeploymentRefusal>
        switch event {
        case .submit(let principal, let summary, let policy):
            decided = .success(submit(snapshot, by: principal, summary: summary, policy: policy))
        case .approve(let principal, let comment, let reviewedDigest, let policy):
            decided = approve(snapshot, by: principal, comment: comment, reviewedDigest: reviewedDigest, policy: policy).map(Optional.some)
        case .reject(let principal, let reason):
            decided = reject(snapshot, by: principal, reason: reason).map(Optional.some)
        case .execute(let principal, let note, let policy):
            decided = execute(snapshot, by: principal, note: note, policy: policy).map(Optional.some)
        case .pause(let principal, let reason):
            decided = pause(snapshot, by: principal, reason: reason).map(Optional.some)
        case .resume(let principal):
            decided = resume(snapshot, by: principal).map(Optional.some)
        case .promote(let principal):
            decided = promote(snapshot, by: principal).map(Optional.some)
        case .cancel(let principal, let reason):
            decided = cancel(snapshot, by: principal, reason: reason).map(Optional.some)
        case .rollback(let principal, let reason, let trigger):
            decided = rollback(snapshot, by: principal, reason: reason, trigger: trigger).map(Optional.some)
        case .retry(let principal, let nodes, let budget):
            decided = retry(snapshot, by: principal.subject, nodes: nodes, budget: budget).map(Optional.some)
        case .tick:
            decided = .success(advance(snapshot))
        }
        return decided.map { change in
            guard let change else { return DeploymentDecision(record: snapshot.record, isUnchanged: true) }
            return finish(change, for: event, from: snapshot)
        }
    }

    /// The working copy a rule builds; `finish` turns it into a decision with its effects.
    struct Change {
        var record: DeploymentRecord
        var nodes: [NodeID: DeploymentNode] = [:]
        var desired: [NodeID: Baseline] = [:]
        var outcome: DeploymentDecision.Outcome?
    }

    /// The state machine's verdict on `command`, as a refusal the decision can return.
    static func legal(
        _ state: DeploymentState, _ command: DeploymentCommand, _ context: DeploymentStateMachine.Context = .init()
    ) -> Result<DeploymentState, DeploymentRefusal> {
        DeploymentStateMachine.next(from: state, on: command, context).mapError { .illegalTransition($0) }
    }

    private static func finish(_ change: Change, for event: Event, from snapshot: RolloutSnapshot) -> DeploymentDecision {
        let written = change.desired.keys.sorted { $0.value < $1.value }
        var effects = written.map { DeploymentEffect.writeDesired($0, change.desired[$0]!) }
        if !written.isEmpty { effects.append(.wake(written)) }
        if let principal = event.principal {
            effects.append(.audit(DeploymentAuditEntry(action: event.action, actor: principal.subject, actors: principal.actors)))
        } else if change.record.state != snapshot.record.state {
            effects.append(.audit(DeploymentAuditEntry(action: "deployment.\(change.record.state.rawValue.lowercased())", actor: engineActor)))
        }
        effects += metrics(change.outcome, change.record).map(DeploymentEffect.metric)
        effects += appended(to: snapshot.record.events, in: change.record.events).map(DeploymentEffect.timeline)
        return DeploymentDecision(record: change.record, nodes: change.nodes, effects: effects, outcome: change.outcome)
    }

    private static func metrics(_ outcome: DeploymentDecision.Outcome?, _ record: DeploymentRecord) -> [DeploymentMetricEvent] {
        var seconds: Double?
        if let started = record.startedAt, let finished = record.finishedAt, finished >= started { seconds = finished - started }
        switch outcome {
        case .completed: return [.finished(outcome: "completed", rolloutSeconds: seconds)]
        case .failed: return [.finished(outcome: "failed", rolloutSeconds: seconds), .failed]
        case .automaticRollback: return [.finished(outcome: "rolled_back", rolloutSeconds: seconds), .failed, .rolledBack(.automatic)]
        case .manualRollback: return [.finished(outcome: "rolled_back", rolloutSeconds: seconds), .rolledBack(.manual)]
        case .cancelled: return [.finished(outcome: "cancelled", rolloutSeconds: seconds)]
        case .rejected: return [.finished(outcome: "rejected", rolloutSeconds: nil)]
        case .paused, nil: return []
        }
    }

    /// The timeline entries the decision added. The timeline only grows at the end (and is trimmed
    /// at the front), so they follow the last entry the deployment had before.
    private static func appended(to old: [DeploymentEvent], in new: [DeploymentEvent]) -> ArraySlice<DeploymentEvent> {
        guard let last = old.last else { return new[...] }
        guard let index = new.lastIndex(of: last) else { return new[...] }
        return new[(index + 1)...]
    }
}
