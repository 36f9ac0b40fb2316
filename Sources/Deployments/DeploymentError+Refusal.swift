import OrchestratorDomain

extension DeploymentError {
    /// The use case's error for a refusal of the decision function.
    init(_ refusal: DeploymentRefusal) {
        switch refusal {
        case .illegalTransition(let illegal): self = .illegalTransition(illegal)
        case .approvalRefused(let refusal): self = .approvalRefused(refusal)
        case .approvalsIncomplete(let valid, let required): self = .approvalsIncomplete(valid: valid, required: required)
        case .forbidden(let reason): self = .forbidden(reason)
        case .conflictingDeployment(let other): self = .conflictingDeployment(other)
        case .versionYanked(let module, let version): self = .versionYanked(module: module, version: version)
        case .retryRefused(let detail): self = .retryRefused(detail)
        }
    }
}
