import EdgeFleet
import OrchestratorDomain

extension DeploymentService {
    /// The plan creating `spec` would make now, with the same checks and refusals as
    /// ``create(_:by:requestID:)``, creating, storing and auditing nothing.
    ///
    /// Warnings name the targets the rollout would skip or time out as they are now (not admitted,
    /// disabled, offline: recorded health confirmed live, as the rollout does) and `waveOrder` names
    /// no target has. The fleet may change before the real creation; the plan is only as fresh as its call.
    public func preview(_ spec: DeploymentSpec) async throws -> DeploymentPlan {
        let resolved = try await resolve(spec)
        var offline: Set<NodeID> = []
        for node in resolved.targets where node.recordedHealth == .offline {
            if await fleet.health.currentHealth(of: node).0 == .offline { offline.insert(node.id) }
        }
        return DeploymentPlan(
            spec: spec, version: resolved.version.version, digest: resolved.version.digest, targets: resolved.targets.map(\.id),
            waves: resolved.waves, policy: settings.policy(for: spec.environment),
            warnings: PlanWarning.warnings(targets: resolved.targets, offline: offline, spec: spec))
    }
}
