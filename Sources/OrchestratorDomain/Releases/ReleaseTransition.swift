/// How a deployment's change of state moves its release. Pure; applied by the use case in the same
/// transaction as the deployment's commit, so a release never disagrees with its deployments.
///
/// | Deployment | Release |
/// |---|---|
/// | starts (`InProgress` from `Approved`) | created if new; `rollout` = the deployment (its module, or removal for a retirement) |
/// | completes | `stable` = the rollout's module; retired when that is a removal |
/// | is rolled back while rolling out | `rollout` cleared: every node runs `stable` again |
/// | is rolled back after completing, while still the release's `stable` | `stable` = what it was before the deployment |
/// | is cancelled or fails part-way | the rollout stays, inactive: dispatched nodes keep its module until the next deployment |
public enum ReleaseTransition {
    /// What a deployment records about its release when it starts: what the release ran before it, so a
    /// rollback after completion can return the release there.
    public static func starting(_ deployment: DeploymentRecord, release: ReleaseRecord?) -> DeploymentRecord {
        var deployment = deployment
        deployment.previousStable = release?.stable
        deployment.previousStableDeploymentID = release?.stableDeploymentID
        return deployment
    }

    /// The release after `before` became `after`; `nil` when the release does not change.
    /// `release` is the stored release (`nil` when the deployment creates it).
    public static func apply(_ release: ReleaseRecord?, before: DeploymentRecord, after: DeploymentRecord, now: Double) -> ReleaseRecord? {
        guard let id = after.releaseID, before.state != after.state else { return nil }
        switch after.state {
        case .inProgress where isStart(before.state, after.state):
            let isNew = release == nil
            var release =
                release
                ?? ReleaseRecord(
                    id: id, environment: after.spec.environment, moduleName: after.spec.moduleName, selector: after.spec.target,
                    priority: after.spec.priority ?? 0, createdAt: now)
            if let priority = after.spec.priority { release.priority = priority }
            release.state = .active
            release.rollout = ReleaseRollout(deploymentID: after.id, module: after.spec.retires ? nil : after.desiredModule, isActive: true)
            return touched(release, now, isNew: isNew)
        case .completed:
            guard var release, let rollout = release.rollout, rollout.deploymentID == after.id else { return nil }
            release.stable = rollout.module
            release.stableDeploymentID = after.id
            release.rollout = nil
            if release.stable == nil { release.state = .retired }
            return touched(release, now)
        case .rolledBack:
            guard var release else { return nil }
            if release.rollout?.deploymentID == after.id {
                release.rollout = nil
            } else if release.stableDeploymentID == after.id {
                release.stable = after.previousStable
                release.stableDeploymentID = after.previousStableDeploymentID
            } else {
                return nil  // a later deployment has since taken the release over: nothing of it to revert
            }
            if release.stable == nil && release.rollout == nil { release.state = .retired }
            return touched(release, now)
        case .cancelled, .failed:
            guard var release, release.rollout?.deploymentID == after.id else { return nil }
            release.rollout?.isActive = false
            return touched(release, now)
        default:
            return nil
        }
    }

    /// `Approved` → `InProgress` (a resume comes from `Paused`).
    public static func isStart(_ before: DeploymentState, _ after: DeploymentState) -> Bool {
        after == .inProgress && !before.isActive
    }

    /// A change bumps the revision (the store writes it compare-and-set on the previous one); a new release keeps 1.
    private static func touched(_ release: ReleaseRecord, _ now: Double, isNew: Bool = false) -> ReleaseRecord {
        var release = release
        release.updatedAt = now
        if !isNew { release.revision += 1 }
        return release
    }
}
