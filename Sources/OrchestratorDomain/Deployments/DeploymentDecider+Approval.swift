/// Submitting, approving, rejecting and executing a deployment.
extension DeploymentDecider {
    static func submit(_ snapshot: RolloutSnapshot, by principal: Principal, summary: String, policy: EnvironmentPolicy) -> Change {
        var record = snapshot.record
        record.state = policy.requireApproval ? .pendingApproval : .approved
        record.record(
            "created", actor: principal.subject, at: snapshot.now,
            detail: summary + (policy.requireApproval ? "; needs \(policy.requiredApprovals) approval(s)" : "; no approval required"),
            actors: principal.actors)
        return Change(record: record)
    }

    static func approve(
        _ snapshot: RolloutSnapshot, by principal: Principal, comment: String?, reviewedDigest: ContentDigest?, policy: EnvironmentPolicy
    ) -> Result<Change, DeploymentRefusal> {
        var record = snapshot.record
        let now = snapshot.now
        // An Approved deployment whose approvals expired before the start needs approving again.
        if record.state == .approved && !ApprovalRules.isComplete(record.approvals, digest: record.digest, policy: policy, at: now) {
            record.state = .pendingApproval
        }
        guard record.state == .pendingApproval else {
            return .failure(
                .illegalTransition(
                    IllegalTransition(
                        state: record.state, command: .approve, reason: "only a deployment pending approval can be approved")))
        }
        if let refusal = ApprovalRules.refusal(
            approver: principal, creator: record.creator, digest: record.digest, reviewedDigest: reviewedDigest,
            existing: record.approvals, policy: policy, at: now)
        {
            return .failure(.approvalRefused(refusal))
        }
        record.approvals.append(
            Approval(
                approver: principal.subject, role: principal.role, digest: record.digest, comment: comment, approvedAt: now,
                expiresAt: now + Double(policy.approvalTTLSeconds), actors: principal.actors))
        let complete = ApprovalRules.isComplete(record.approvals, digest: record.digest, policy: policy, at: now)
        switch legal(record.state, .approve, .init(approvalsComplete: complete)) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let state): record.state = state
        }
        let valid = ApprovalRules.validApprovers(record.approvals, digest: record.digest, at: now).count
        record.record(
            "approved", actor: principal.subject, at: now, detail: "\(valid) of \(policy.requiredApprovals)" + (comment.map { ": \($0)" } ?? ""),
            actors: principal.actors)
        return .success(Change(record: record))
    }

    /// Who may reject is the use case's check (``ApprovalRules/mayApprove(_:_:)``), made before deciding.
    static func reject(_ snapshot: RolloutSnapshot, by principal: Principal, reason: String) -> Result<Change, DeploymentRefusal> {
        var record = snapshot.record
        switch legal(record.state, .reject) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let state): record.state = state
        }
        record.reason = reason
        record.finishedAt = snapshot.now
        record.record("rejected", actor: principal.subject, at: snapshot.now, detail: reason, actors: principal.actors)
        var change = Change(record: record)
        change.outcome = .rejected
        return .success(change)
    }

    /// Approves on the caller's behalf when that completes the approvals (also when earlier ones
    /// expired), then starts. Never records a partial approval: when more approvers are still
    /// needed it refuses and changes nothing. Without required approval, anyone who may deploy may start.
    static func execute(
        _ snapshot: RolloutSnapshot, by principal: Principal, note: String?, policy: EnvironmentPolicy
    ) -> Result<Change, DeploymentRefusal> {
        var record = snapshot.record
        let now = snapshot.now
        guard record.state == .pendingApproval || record.state == .approved else {
            return .failure(
                .illegalTransition(
                    IllegalTransition(
                        state: record.state, command: .start, reason: "only an approved deployment can start")))
        }
        if !policy.requireApproval {
            guard AccessPolicy.allows(principal, .deploy) else {
                return .failure(.forbidden("role '\(principal.role.rawValue)' may not start deployments"))
            }
        } else if !ApprovalRules.isComplete(record.approvals, digest: record.digest, policy: policy, at: now) {
            if let refusal = ApprovalRules.refusal(
                approver: principal, creator: record.creator, digest: record.digest, reviewedDigest: nil, existing: record.approvals,
                policy: policy, at: now)
            {
                if case .alreadyApproved = refusal {
                    let valid = ApprovalRules.validApprovers(record.approvals, digest: record.digest, at: now).count
                    return .failure(.approvalsIncomplete(valid: valid, required: policy.requiredApprovals))
                }
                return .failure(.approvalRefused(refusal))
            }
            var approvals = record.approvals
            approvals.append(
                Approval(
                    approver: principal.subject, role: principal.role, digest: record.digest,
                    comment: note.map { "execute (approvedBy: \($0))" } ?? "execute", approvedAt: now,
                    expiresAt: now + Double(policy.approvalTTLSeconds), actors: principal.actors))
            let valid = ApprovalRules.validApprovers(approvals, digest: record.digest, at: now).count
            guard ApprovalRules.isComplete(approvals, digest: record.digest, policy: policy, at: now) else {
                return .failure(.approvalsIncomplete(valid: valid, required: policy.requiredApprovals))
            }
            record.approvals = approvals
            record.record(
                "approved", actor: principal.subject, at: now, detail: "\(valid) of \(policy.requiredApprovals) (execute)", actors: principal.actors)
        } else if !ApprovalRules.mayApprove(principal.role, policy.approverRole) {
            return .failure(.forbidden("only an approver (\(policy.approverRole.rawValue)) may start this deployment"))
        }
        // The approvals are complete now: the table decides the start from Approved.
        if case .failure(let refusal) = legal(.approved, .start, .init(approvalsComplete: true)) { return .failure(refusal) }
        if let other = snapshot.conflictingDeployment { return .failure(.conflictingDeployment(other)) }
        if snapshot.versionYanked { return .failure(.versionYanked(module: record.spec.moduleName, version: record.spec.moduleVersion)) }
        record.state = .approved
        var started = snapshot
        started.record = record
        return .success(startRollout(started, actor: principal.subject))
    }
}
