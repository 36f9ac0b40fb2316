import OrchestratorDomain

/// Refusals of the deployment use cases; the HTTP layer maps each to a status and problem type.
public enum DeploymentError: Error, Sendable, Equatable {
    case notFound(String)
    case invalidSpec(String)
    case moduleVersionNotFound(module: String, version: String)
    case versionYanked(module: String, version: String)
    case noTargetNodes
    /// Node ids (at most 20) with what each lacks, and how many there were in all.
    case incompatibleTargets([String], total: Int)
    /// `target.nodeIds` names nodes (at most 20 shown, with their environment) outside the deployment's environment.
    case targetsInOtherEnvironment([String], environment: String, total: Int)
    case illegalTransition(IllegalTransition)
    /// `If-Match` named another revision; carries the current one.
    case preconditionFailed(currentRevision: Int)
    case approvalRefused(ApprovalRefusal)
    case approvalsIncomplete(valid: Int, required: Int)
    /// Another deployment of the same module is rolling out.
    case conflictingDeployment(String)
    case forbidden(String)
    /// Lost the compare-and-set race too many times in a row.
    case concurrentChange
    /// The deployment's release could not be found, created or changed (``ReleaseResolution/Refusal``).
    case release(ReleaseResolution.Refusal)
    /// `POST …/retry` named nodes that are not failed targets, or whose retry budget is spent.
    case retryRefused(String)
}
