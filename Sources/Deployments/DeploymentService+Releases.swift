import EdgeFleet
import OrchestratorDomain
import OrchestratorPorts

/// Reading releases: `GET /api/v1/wasm/releases` and `GET /releases/{id}`.
extension DeploymentService {
    /// A release with the nodes that follow it and where they are.
    public struct ReleaseView: Sendable {
        public var release: ReleaseRecord
        public var convergence: ReleaseConvergence
        /// The followers (at most ``followerLimit``, in id order), each with the version its desired state names.
        public var followers: [(node: NodeID, version: String?)]
    }

    public static let followerLimit = 1000

    public func releases(_ query: ReleaseQuery) async throws -> Page<ReleaseRecord, Int64> {
        try await store.releases(query)
    }

    public func release(_ id: String) async throws -> ReleaseView {
        guard id.utf8.count <= 64, let release = try await store.release(id: id) else {
            throw DeploymentError.release(.releaseNotFound(String(id.prefix(64))))
        }
        let active = try await store.activeReleases()
        let followers = try await store.allNodes()
            .filter { $0.isSchedulable && ReleaseConflictRule.winner(for: $0, module: release.moduleName, among: active)?.id == release.id }
            .sorted { $0.id.value < $1.id.value }
        let desired = try await store.desiredEntries(module: release.moduleName, nodes: followers.map(\.id))
        var reports: [NodeID: RecordedModuleStatus] = [:]
        for deployment in Set([release.stableDeploymentID, release.rollout?.deploymentID].compactMap { $0 }) {
            reports.merge(try await store.statusReports(forDeployment: deployment)) { old, new in old.reportedAt >= new.reportedAt ? old : new }
        }
        let time = now()
        var offline: Set<NodeID> = []
        for node in followers where fleet.settings.health.evaluate(lastHeartbeatAt: node.lastHeartbeatAt, conditions: [], now: time) == .offline {
            offline.insert(node.id)
        }
        let drifted = try await fleet.drifted(followers)
        let convergence = ReleaseConvergence.of(
            followers, expected: { desired[$0.id]?.digest }, report: { reports[$0.id]?.report }, isOffline: { offline.contains($0.id) },
            isDrifted: { drifted.contains($0.id) })
        return ReleaseView(
            release: release, convergence: convergence,
            followers: followers.prefix(Self.followerLimit).map { ($0.id, desired[$0.id]?.version) })
    }
}
