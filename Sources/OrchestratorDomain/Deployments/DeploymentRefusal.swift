/// Why the decision function refused an event; nothing changes and no effect is carried out.
public enum DeploymentRefusal: Error, Sendable, Hashable {
    /// The event is not possible from the current state (409 naming that state).
    case illegalTransition(IllegalTransition)
    case approvalRefused(ApprovalRefusal)
    /// `execute` would leave the approvals incomplete; the caller's approval is not recorded.
    case approvalsIncomplete(valid: Int, required: Int)
    case forbidden(String)
    /// Another deployment of the same module is rolling out.
    case conflictingDeployment(String)
    case versionYanked(module: String, version: String)
    /// `retry` named nodes that are not failed targets, or whose retry budget is spent.
    case retryRefused(String)
}
