import OrchestratorDomain
import OrchestratorPorts

extension NodeService {
    /// One page of nodes matching `query`.
    public func nodes(_ query: NodeQuery) async throws -> Page<NodeRecord, String> {
        try await store.nodes(query)
    }

    /// The node's latest health transitions, newest first; ``FleetError/nodeNotFound(_:)`` for an unknown node.
    public func healthHistory(of id: NodeID, limit: Int = 100) async throws -> [HealthTransition] {
        _ = try await node(id)
        return try await store.healthTransitions(of: id, limit: limit)
    }
}
