import OrchestratorDomain
import Testing

/// The rollout rules reached through the decision function, as the use cases reach them.
extension Rollout {
    /// An admin: every command's role check passes, so the tests see the state rules alone.
    static let ops = Principal(subject: "ops", role: .admin)
    static let noApproval = EnvironmentPolicy(requireApproval: false)

    static func decided(_ event: DeploymentDecider.Event, _ snapshot: RolloutSnapshot) -> DeploymentDecision {
        switch DeploymentDecider.decide(event, snapshot) {
        case .success(let decision): return decision
        case .failure(let refusal):
            Issue.record("\(event.action) refused: \(refusal)")
            return DeploymentDecision(record: snapshot.record, isUnchanged: true)
        }
    }

    /// `execute` in an environment without required approval.
    static func start(_ snapshot: RolloutSnapshot) -> DeploymentDecision {
        decided(.execute(by: ops, note: nil, policy: noApproval), snapshot)
    }

    /// One engine tick; `nil` when it changed nothing.
    static func tick(_ snapshot: RolloutSnapshot) -> DeploymentDecision? {
        let decision = decided(.tick, snapshot)
        return decision.isUnchanged ? nil : decision
    }

    static func promote(_ snapshot: RolloutSnapshot) -> DeploymentDecision {
        decided(.promote(by: ops), snapshot)
    }

    static func rollback(_ snapshot: RolloutSnapshot, reason: String) -> DeploymentDecision {
        decided(.rollback(by: ops, reason: reason, trigger: .manual), snapshot)
    }

    static func cancel(_ snapshot: RolloutSnapshot, reason: String?) -> DeploymentDecision {
        decided(.cancel(by: ops, reason: reason), snapshot)
    }
}
