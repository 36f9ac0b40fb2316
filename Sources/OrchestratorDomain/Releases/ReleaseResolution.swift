/// Which release a new deployment creates, changes or retires.
///
/// - `releaseId` given: that active release, which must be for the same module and environment, and
///   whose selector the deployment must repeat (or omit nothing of): a selector does not change under a
///   release; retire it and create another.
/// - Otherwise the active release of the same module and environment with the same selector, if any.
/// - Otherwise a new release (`newID`); a retirement needs an existing one.
/// Then ``ReleaseConflictRule`` refuses equal-priority overlaps.
public enum ReleaseResolution {
    public enum Refusal: Error, Sendable, Equatable {
        case releaseNotFound(String)
        case releaseMismatch(String)
        case nothingToRetire(module: String, environment: String)
        /// The release the deployment would create or change, the other one, and nodes both select.
        case unsettledConflict(release: String, other: String, nodes: [String])
    }

    /// The release id the deployment belongs to, or the refusal.
    public static func resolve(
        _ spec: DeploymentSpec, requested: String?, releases: [ReleaseRecord], fleet: [NodeRecord], newID: String, now: Double
    ) -> Result<String, Refusal> {
        let existing: ReleaseRecord?
        if let requested {
            guard let release = releases.first(where: { $0.id == requested && $0.state == .active }) else {
                return .failure(.releaseNotFound(requested))
            }
            guard release.moduleName == spec.moduleName, release.environment == spec.environment else {
                return .failure(.releaseMismatch("release \(requested) is for '\(release.moduleName)' in '\(release.environment)'"))
            }
            guard sameSelector(release.selector, spec.target) else {
                return .failure(.releaseMismatch("release \(requested) has another target; a release's target does not change"))
            }
            existing = release
        } else {
            existing = releases.first {
                $0.state == .active && $0.moduleName == spec.moduleName && $0.environment == spec.environment
                    && sameSelector($0.selector, spec.target)
            }
        }
        if spec.retires && existing == nil { return .failure(.nothingToRetire(module: spec.moduleName, environment: spec.environment)) }
        var candidate =
            existing
            ?? ReleaseRecord(
                id: newID, environment: spec.environment, moduleName: spec.moduleName, selector: spec.target, priority: spec.priority ?? 0,
                createdAt: now)
        if let priority = spec.priority { candidate.priority = priority }
        if !spec.retires, let clash = ReleaseConflictRule.unsettled(candidate, against: releases, fleet: fleet).first {
            return .failure(.unsettledConflict(release: candidate.id, other: clash.release.id, nodes: clash.nodes.prefix(5).map(\.value)))
        }
        return .success(candidate.id)
    }

    /// The same nodes: ids, regions and zones as sets, and labels (the offline policy is the rollout's, not the selector's).
    public static func sameSelector(_ a: DeploymentTarget, _ b: DeploymentTarget) -> Bool {
        Set(a.nodeIds) == Set(b.nodeIds) && Set(a.regions) == Set(b.regions) && Set(a.zones) == Set(b.zones) && a.labels == b.labels
    }
}
