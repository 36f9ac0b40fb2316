/// A command a person may send to a deployment, as the API and the console name it.
public enum DeploymentAction: String, Sendable, Hashable, CaseIterable, Codable {
    case approve, reject, execute, pause, resume, promote, cancel, rollback, retry

    /// The role question the route asks before the workflow runs (``AccessPolicy``).
    ///
    /// Approve, reject and execute ask only for a reader: who may approve depends on the environment's
    /// policy, which the workflow knows (``ApprovalRules``).
    public var access: Action {
        switch self {
        case .approve, .reject, .execute: .readFleet
        case .pause, .cancel: .deploy
        case .resume, .promote, .rollback, .retry: .administer
        }
    }
}

/// Which commands a caller may send to a deployment now: the union of every rule the server applies.
///
/// Decision: rather than restate the rules, each candidate command is decided by ``DeploymentDecider`` itself
/// (a pure function) after the role checks the route and the use case make, so the answer cannot drift from
/// what the server would do. It is a hint for user interfaces, not a grant: what the snapshot does not hold
/// (another active deployment of the module, a version yanked since, a lost race) can still refuse the command,
/// and the server authorizes every call again.
public enum DeploymentPermissions {
    /// The commands `principal` may send to `record` at `now`, in ``DeploymentAction`` order.
    ///
    /// - Parameter nodes: the deployment's node rows; `nil` when they were not read (a listing), and then
    ///   `retry`, which needs a failed node, is never offered.
    /// - Parameter retryBudget: how often one node may be retried (``DeploymentDecider/Event/retry(by:nodes:budget:)``).
    public static func allowedActions(
        for principal: Principal, on record: DeploymentRecord, policy: EnvironmentPolicy, nodes: [DeploymentNode]?, retryBudget: Int,
        at now: Double
    ) -> [DeploymentAction] {
        let snapshot = RolloutSnapshot(record: record, nodes: nodes ?? [], now: now)
        return DeploymentAction.allCases.filter { action in
            guard AccessPolicy.allows(principal, action.access), workflowAllows(principal, action, record, policy: policy) else { return false }
            if action == .retry && nodes == nil { return false }
            let event = event(action, by: principal, policy: policy, retryBudget: retryBudget)
            if case .success = DeploymentDecider.decide(event, snapshot) { return true }
            return false
        }
    }

    /// Reject asks for an approver of the environment's policy.
    public static func mayReject(_ principal: Principal, policy: EnvironmentPolicy) -> Bool {
        ApprovalRules.mayApprove(principal.role, policy.approverRole)
    }

    /// Cancel is for the creator (any name shared with the creating token's subject and actors) or an admin.
    public static func mayCancel(_ principal: Principal, _ record: DeploymentRecord) -> Bool {
        principal.role == .admin || principal.person.isSame(as: record.creator)
    }

    /// The use case's role checks made before deciding (the decider makes the rest).
    private static func workflowAllows(
        _ principal: Principal, _ action: DeploymentAction, _ record: DeploymentRecord, policy: EnvironmentPolicy
    ) -> Bool {
        switch action {
        case .reject: mayReject(principal, policy: policy)
        case .cancel: mayCancel(principal, record)
        default: true
        }
    }

    /// The event the command would be; reasons are placeholders (they never change whether it is legal).
    private static func event(
        _ action: DeploymentAction, by principal: Principal, policy: EnvironmentPolicy, retryBudget: Int
    ) -> DeploymentDecider.Event {
        switch action {
        case .approve: .approve(by: principal, comment: nil, reviewedDigest: nil, policy: policy)
        case .reject: .reject(by: principal, reason: "-")
        case .execute: .execute(by: principal, note: nil, policy: policy)
        case .pause: .pause(by: principal, reason: nil)
        case .resume: .resume(by: principal)
        case .promote: .promote(by: principal)
        case .cancel: .cancel(by: principal, reason: nil)
        case .rollback: .rollback(by: principal, reason: "-", trigger: .manual)
        case .retry: .retry(by: principal, nodes: [], budget: retryBudget)
        }
    }
}
