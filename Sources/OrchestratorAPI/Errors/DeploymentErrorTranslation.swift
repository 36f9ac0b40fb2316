import Deployments
import HTTPTypes
import OrchestratorDomain

extension DeploymentError {
    /// The client-facing form of a deployment refusal. See docs/errors.md.
    var apiError: APIError {
        switch self {
        case .notFound(let id):
            return APIError(status: .notFound, slug: "deployment-not-found", detail: "no deployment '\(id.prefix(64))'")
        case .invalidSpec(let problem):
            return APIError(status: .badRequest, slug: "invalid-deployment", detail: problem)
        case .moduleVersionNotFound(let module, let version):
            return APIError(status: .notFound, slug: "module-version-not-found", detail: "module '\(module)' has no version '\(version)'")
        case .versionYanked(let module, let version):
            return APIError(status: .unprocessableContent, slug: "version-yanked", detail: "\(module)@\(version) is yanked and cannot be deployed")
        case .noTargetNodes:
            return APIError(
                status: .unprocessableContent, slug: "no-target-nodes",
                detail: "the target matches no registered node of the deployment's environment")
        case .targetsInOtherEnvironment(let nodes, let environment, let total):
            let more = total > nodes.count ? " and \(total - nodes.count) more" : ""
            return APIError(
                status: .unprocessableContent, slug: "target-outside-environment",
                detail: "\(total) target node(s) do not belong to environment '\(environment)': \(nodes.joined(separator: ", "))\(more)")
        case .incompatibleTargets(let nodes, let total):
            let more = total > nodes.count ? " and \(total - nodes.count) more" : ""
            return APIError(
                status: .unprocessableContent, slug: "incompatible-targets",
                detail: "\(total) target node(s) cannot run this module: \(nodes.joined(separator: ", "))\(more)")
        case .illegalTransition(let illegal):
            return APIError(
                status: .conflict, slug: "illegal-transition",
                detail: "cannot \(illegal.command.rawValue): the deployment is \(illegal.state.rawValue) (\(illegal.reason))")
        case .preconditionFailed(let revision):
            return APIError(
                status: .preconditionFailed, slug: "precondition-failed",
                detail: "the deployment has changed (current ETag \"r\(revision)\"); read it again before retrying")
        case .approvalRefused(let refusal):
            switch refusal {
            case .roleMayNotApprove(let role, let required):
                return APIError(
                    status: .forbidden, slug: "forbidden", detail: "role '\(role.rawValue)' may not approve; approvers need '\(required.rawValue)'")
            case .selfApproval:
                return APIError(
                    status: .forbidden, slug: "self-approval-forbidden", detail: "the creator of a deployment may not approve it (four-eyes rule)")
            case .alreadyApproved:
                return APIError(status: .conflict, slug: "already-approved", detail: "you have already approved this deployment")
            case .digestMismatch(let expected, let given):
                return APIError(
                    status: .conflict, slug: "digest-mismatch",
                    detail: "the deployment ships \(expected), not the reviewed \(given); review the deployed content again")
            }
        case .approvalsIncomplete(let valid, let required):
            return APIError(
                status: .conflict, slug: "approvals-incomplete",
                detail: "\(valid) of \(required) valid approvals; more approvers must approve before it can start (nothing was changed)")
        case .conflictingDeployment(let other):
            return APIError(
                status: .conflict, slug: "deployment-conflict",
                detail: "deployment \(other) of the same module is rolling out; finish, cancel or roll it back first")
        case .forbidden(let detail):
            return APIError.forbidden(detail: detail)
        case .concurrentChange:
            return APIError(
                status: .conflict, slug: "concurrent-change", detail: "the deployment kept changing concurrently; read it again and retry")
        case .release(.releaseNotFound(let id)):
            return APIError(status: .notFound, slug: "release-not-found", detail: "no active release '\(id.prefix(64))'")
        case .release(.releaseMismatch(let detail)):
            return APIError(status: .unprocessableContent, slug: "release-mismatch", detail: detail)
        case .release(.nothingToRetire(let module, let environment)):
            return APIError(
                status: .unprocessableContent, slug: "no-release-to-retire",
                detail: "no active release of '\(module)' in '\(environment)' has this target; name one with 'releaseId'")
        case .release(.unsettledConflict(let release, let other, let nodes)):
            return APIError(
                status: .conflict, slug: "release-conflict",
                detail: "release \(release) and release \(other) of the same module would both select \(nodes.joined(separator: ", ")) "
                    + "at the same priority; give one a higher 'priority' or change release \(other) instead")
        case .retryRefused(let detail):
            return APIError(status: .conflict, slug: "retry-refused", detail: detail)
        }
    }
}
