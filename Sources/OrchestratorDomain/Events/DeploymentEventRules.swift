/// Which events a committed deployment transition yields: the one place that maps states to event kinds.
///
/// One transition yields its events once, in order. A state change names its kind; a change that keeps the state
/// (a tick that dispatched a cohort or saw node states change, a promote, a retry) is `progressed`. An automatic
/// rollback is one commit from InProgress to RolledBack, but the rollout failed first: it yields `failed`, then
/// `rolled-back`, so a webhook subscribed to failures hears of it.
public enum DeploymentEventRules {
    /// The kinds for a transition from `before` (`nil`: the deployment was just created) to `after`.
    /// - Parameters:
    ///   - nodesChanged: the commit changed target node rows (dispatch or state changes).
    ///   - outcome: the decision's outcome, which tells an automatic rollback from a manual one.
    public static func kinds(
        from before: DeploymentState?, to after: DeploymentState, nodesChanged: Bool, outcome: DeploymentDecision.Outcome? = nil
    ) -> [DeploymentEventKind] {
        guard let before else {
            return after == .pendingApproval ? [.created, .approvalRequested] : [.created]
        }
        if before == after { return nodesChanged && (after.isActive || after == .completed) ? [.progressed] : [] }
        switch after {
        case .pendingApproval: return [.approvalRequested]
        case .approved: return [.approved]
        case .rejected: return [.rejected]
        case .inProgress: return before == .paused ? [.resumed] : [.started]
        case .paused: return [.paused]
        case .failed: return [.failed]
        case .rolledBack: return outcome == .automaticRollback ? [.failed, .rolledBack] : [.rolledBack]
        case .completed: return [.completed]
        case .cancelled: return [.cancelled]
        }
    }

    /// The events for a committed transition of `record` (its state after) from `before`, at `time`.
    public static func events(
        from before: DeploymentState?, to record: DeploymentRecord, nodesChanged: Bool, outcome: DeploymentDecision.Outcome? = nil,
        at time: Double
    ) -> [OrchestratorEvent] {
        kinds(from: before, to: record.state, nodesChanged: nodesChanged, outcome: outcome).map { kind in
            OrchestratorEvent(
                type: .deployment(kind), time: time, data: .deployment(DeploymentEventData(record: record, previousStatus: before)))
        }
    }
}
