import Logging
import OrchestratorDomain
import OrchestratorPorts

/// Keeps every node's stored desired state equal to ``DesiredStateDerivation``'s output.
///
/// It recomputes nodes when something the derivation reads changes: a release (a deployment commit),
/// the node's environment, trusted labels, admission or enablement, and its enrollment; and the
/// rollout engine runs it over the whole fleet on a timer, so a missed trigger (a crash between two
/// writes, another replica's change) is repaired within one interval. Each write is compare-and-set on
/// what was read, so two replicas deriving at once never write a stale result over a fresh one.
/// Changed nodes are woken through the ``DesiredStateHub`` (ETag and long-poll).
public struct DesiredStateReconciler: Sendable {
    let store: any MetadataStore
    let desiredState: DesiredStateHub
    let logger: Logger

    public init(store: any MetadataStore, desiredState: DesiredStateHub, logger: Logger) {
        self.store = store
        self.desiredState = desiredState
        self.logger = logger
    }

    /// Recomputes `nodes` (every node when `nil`), writes those whose desired state differs and wakes them.
    /// Returns the nodes it changed.
    @discardableResult
    public func reconcile(_ nodes: [NodeID]? = nil) async throws -> [NodeID] {
        let releases = try await store.activeReleases()
        let fleet: [NodeRecord]
        if let nodes {
            var loaded: [NodeRecord] = []
            for id in Set(nodes) { if let node = try await store.node(id) { loaded.append(node) } }
            fleet = loaded
        } else {
            fleet = try await store.allNodes()
        }
        let schedulable = fleet.filter(\.isSchedulable)
        guard !schedulable.isEmpty else { return [] }
        let dispatched = try await dispatchedNodes(of: releases, among: nodes == nil ? nil : schedulable.map(\.id))
        let current = try await store.desiredModules(of: schedulable.map(\.id))
        var changed: [NodeID] = []
        for node in schedulable {
            let stored = (current[node.id] ?? []).sorted { $0.name < $1.name }
            let input = DesiredStateDerivation.Input(node: node, current: stored, dispatchedBy: dispatched.compactMapValues { $0[node.id] })
            let desired = DesiredStateDerivation.desired(input, releases: releases)
            guard desired != stored else { continue }
            if try await store.replaceDesiredModules(desired, for: node.id, expected: stored) { changed.append(node.id) }
        }
        if !changed.isEmpty {
            logger.info("desired state derived", metadata: ["nodes": "\(changed.count)", "releases": "\(releases.count)"])
            await desiredState.notifyChanged(changed)
        }
        return changed
    }

    /// Reconciles `nodes`, logging instead of throwing: the caller's own write has landed, and the engine's
    /// periodic pass repairs what this one could not do.
    public func reconcileQuietly(_ nodes: [NodeID]? = nil) async {
        do {
            try await reconcile(nodes)
        } catch {
            logger.warning("desired state not derived; the next pass retries", metadata: ["error": "\(error)"])
        }
    }

    /// Per rollout deployment of `releases`: the nodes it dispatched and has not reverted, with their retry counts.
    /// `among` limits the read to those nodes' rows (a node's enrollment reads one row per rollout, not the whole rollout).
    private func dispatchedNodes(of releases: [ReleaseRecord], among ids: [NodeID]?) async throws -> [String: [NodeID: Int]] {
        var result: [String: [NodeID: Int]] = [:]
        for rollout in releases.compactMap(\.rollout) where result[rollout.deploymentID] == nil {
            let rows: [DeploymentNode]
            if let ids {
                rows = Array(try await store.deploymentNodes(of: rollout.deploymentID, nodes: ids).values)
            } else {
                rows = try await store.deploymentNodes(of: rollout.deploymentID)
            }
            var nodes: [NodeID: Int] = [:]
            for row in rows where row.state.wasDispatched && row.state != .rolledBack { nodes[row.nodeID] = row.retries ?? 0 }
            result[rollout.deploymentID] = nodes
        }
        return result
    }
}
