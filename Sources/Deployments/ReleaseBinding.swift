import OrchestratorDomain
import OrchestratorPorts

/// Ties a deployment's decision to its release: loads the release, records on a starting deployment what
/// the release ran before, and computes the release as the decision leaves it (``ReleaseTransition``),
/// for the same commit. Shared by the use case's commands and the rollout engine.
struct ReleaseBinding: Sendable {
    let store: any MetadataStore

    /// The release to write with `decided` (which may gain its `previousStable`), or `nil` when it does not change.
    func bind(_ decided: inout DeploymentRecord, before current: DeploymentRecord, now: Double) async throws -> ReleaseRecord? {
        guard let id = decided.releaseID, current.state != decided.state else { return nil }
        let stored = try await store.release(id: id)
        if ReleaseTransition.isStart(current.state, decided.state) { decided = ReleaseTransition.starting(decided, release: stored) }
        return ReleaseTransition.apply(stored, before: current, after: decided, now: now)
    }
}
