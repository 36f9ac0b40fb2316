import OrchestratorDomain
import OrchestratorPorts

/// A node's desired state beside what its latest heartbeat says it holds and runs (`GET /nodes/{id}`).
public struct NodeObservation: Sendable {
    public var desired: [DesiredModule]
    /// The inventory of the newest heartbeat anywhere; `nil` before the first.
    public var observed: [InventoryItem]?
    public var observedAt: Double?
    /// Empty when in sync (or when nothing was observed yet).
    public var differences: [ModuleDrift]
    /// Since when the differences have lasted, as this replica's health monitor saw them.
    public var driftingSince: Double?
    /// The differences have lasted longer than `nodes.driftAfterSeconds`.
    public var drifted: Bool
}

extension NodeService {
    /// Desired, observed and drift for `node`.
    public func observation(of node: NodeRecord) async throws -> NodeObservation {
        let desired = try await store.desiredModules(of: node.id)
        let latest = await heartbeats.latest(node)
        let observed = latest?.heartbeat.inventory
        let differences = observed.map { ModuleDrift.differences(desired: desired, observed: $0) } ?? []
        let since = differences.isEmpty ? nil : health.driftStarted(node.id)
        return NodeObservation(
            desired: desired, observed: observed, observedAt: latest?.at, differences: differences, driftingSince: since,
            drifted: settings.drift.isDrifted(since: since, now: now()))
    }

    /// Those of `nodes` that are drifted: their latest inventory differs from their desired state now (one batched read of
    /// each), and has differed for longer than `nodes.driftAfterSeconds` as this replica's health monitor saw it.
    public func drifted(_ nodes: [NodeRecord]) async throws -> Set<NodeID> {
        let candidates = nodes.filter { health.isDrifted($0.id) }
        guard !candidates.isEmpty else { return [] }
        let desired = try await store.desiredModules(of: candidates.map(\.id))
        let latest = await heartbeats.latest(candidates)
        return Set(
            candidates.filter { node in
                guard let inventory = latest[node.id]?.heartbeat.inventory else { return false }
                return !ModuleDrift.differences(desired: desired[node.id] ?? [], observed: inventory).isEmpty
            }.map(\.id))
    }

    /// One page of nodes matching `query` that are (or are not) drifted, paging through the store until the page is full.
    public func nodes(_ query: NodeQuery, drifted: Bool) async throws -> Page<NodeRecord, String> {
        var matched: [NodeRecord] = []
        var page = query
        while true {
            let batch = try await store.nodes(page)
            let driftedInBatch = try await self.drifted(batch.items)
            for node in batch.items where driftedInBatch.contains(node.id) == drifted {
                matched.append(node)
                if matched.count == query.limit { return Page(items: matched, next: node.id.value) }
            }
            guard let next = batch.next else { return Page(items: matched, next: nil) }
            page.afterID = next
        }
    }
}
