/// Which events a node transition yields.
public enum NodeEventRules {
    /// A recorded health change: `health-changed`, then `offline` when the node went Offline.
    public static func healthChanged(
        node: String, environment: String, from: NodeHealth, to: NodeHealth, at time: Double
    ) -> [OrchestratorEvent] {
        guard from != to else { return [] }
        let data = EventData.node(NodeEventData(nodeID: node, environment: environment, health: to, previousHealth: from))
        let kinds: [NodeEventKind] = to == .offline ? [.healthChanged, .offline] : [.healthChanged]
        return kinds.map { OrchestratorEvent(type: .node($0), time: time, data: data) }
    }

    /// An admin's change of `isEnabled`: `enabled` or `disabled`, nothing when it stayed the same.
    public static func enablement(
        node: String, environment: String, health: NodeHealth, wasEnabled: Bool, isEnabled: Bool, at time: Double
    ) -> [OrchestratorEvent] {
        guard wasEnabled != isEnabled else { return [] }
        let data = EventData.node(NodeEventData(nodeID: node, environment: environment, health: health))
        return [OrchestratorEvent(type: .node(isEnabled ? .enabled : .disabled), time: time, data: data)]
    }

    /// A new node registered.
    public static func enrolled(node: String, environment: String, health: NodeHealth, at time: Double) -> OrchestratorEvent {
        OrchestratorEvent(type: .node(.enrolled), time: time, data: .node(NodeEventData(nodeID: node, environment: environment, health: health)))
    }
}
