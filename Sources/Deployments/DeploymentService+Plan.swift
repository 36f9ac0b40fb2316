import Foundation
import OrchestratorDomain
import OrchestratorPorts

/// What creation checks and computes before it stores anything; ``DeploymentService/create(_:by:requestID:)``
/// and ``DeploymentService/preview(_:)`` both go through it, so a preview cannot drift from creation.
struct ResolvedDeployment: Sendable {
    let name: ModuleName
    let versionKey: String
    let version: ModuleVersionRecord
    /// In id order.
    let targets: [NodeRecord]
    let waves: [RolloutWave]
    /// The release the deployment would create, change or retire (``ReleaseResolution``).
    let releaseID: String

    /// The deployment's cohorts in rollout order: the waves' cohorts one after the other.
    var cohorts: [[NodeID]] { waves.flatMap(\.cohorts) }
}

extension DeploymentService {
    /// Validates the spec, resolves the version to its digest, selects and checks the targets, finds the release
    /// (refusing an unsettled conflict, 409) and plans the cohorts; throws creation's refusals (400, 404, 409, 422). Reads only.
    func resolve(_ spec: DeploymentSpec) async throws -> ResolvedDeployment {
        if let problem = DeploymentSpecRules.problem(spec, environments: Set(settings.environments.keys)) {
            throw DeploymentError.invalidSpec(problem)
        }
        guard let name = ModuleName(spec.moduleName), let semver = SemanticVersion(spec.moduleVersion) else {
            throw DeploymentError.invalidSpec("'moduleName' or 'moduleVersion' is invalid")
        }
        guard let version = try await store.version(of: name, key: semver.identityKey) else {
            throw DeploymentError.moduleVersionNotFound(module: spec.moduleName, version: spec.moduleVersion)
        }
        guard version.status.acceptsNewDeployments else { throw DeploymentError.versionYanked(module: spec.moduleName, version: version.version) }
        if let problem = TargetResolver.memoryProblem(version, spec: spec) ?? TargetResolver.entrypointProblem(version, spec: spec) {
            throw DeploymentError.invalidSpec(problem)
        }
        let fleetNodes = try await store.allNodes()
        let targets = try TargetResolver.targets(spec, fleet: fleetNodes)
        guard !targets.isEmpty else { throw DeploymentError.noTargetNodes }
        let incompatible = targets.compactMap { node in
            TargetResolver.incompatibility(node, version: version, spec: spec).map { "\(node.id) (\($0))" }
        }
        guard incompatible.isEmpty else { throw DeploymentError.incompatibleTargets(Array(incompatible.prefix(20)), total: incompatible.count) }
        let releaseID = try ReleaseResolution.resolve(
            spec, requested: spec.releaseID, releases: try await store.activeReleases(), fleet: fleetNodes,
            newID: UUID().uuidString.lowercased(), now: now()
        ).mapError(DeploymentError.release).get()
        let waves = RolloutPlan.waves(targets, seed: RolloutPlan.seed(for: spec), strategy: spec.strategy)
        return ResolvedDeployment(
            name: name, versionKey: semver.identityKey, version: version, targets: targets, waves: waves, releaseID: releaseID)
    }
}
