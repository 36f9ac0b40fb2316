/// The kinds of deployment event (the suffix after `io.wasmorchestrator.deployment.`).
public enum DeploymentEventKind: String, Sendable, Hashable, CaseIterable {
    case created
    /// The deployment waits for approvals.
    case approvalRequested = "approval-requested"
    case approved, rejected, started
    /// A rollout step: a cohort was dispatched or target nodes changed state.
    case progressed
    case paused, resumed, failed
    case rolledBack = "rolled-back"
    case completed, cancelled
}

/// The kinds of node event (the suffix after `io.wasmorchestrator.node.`).
public enum NodeEventKind: String, Sendable, Hashable, CaseIterable {
    case enrolled
    case healthChanged = "health-changed"
    /// Also sent, after `health-changed`, when the health becomes Offline.
    case offline
    case enabled, disabled
}

/// A CloudEvents `type` of the event stream and the webhooks, e.g. `io.wasmorchestrator.deployment.completed`.
public enum EventType: Sendable, Hashable {
    case deployment(DeploymentEventKind)
    case node(NodeEventKind)

    /// The reverse-DNS prefix every type starts with.
    public static let prefix = "io.wasmorchestrator."

    /// Every type, deployments first (the order of the shared contract).
    public static var all: [EventType] {
        DeploymentEventKind.allCases.map(EventType.deployment) + NodeEventKind.allCases.map(EventType.node)
    }

    /// The type without ``prefix``: `deployment.completed`, `node.offline` (what `?types=` and the webhook settings name).
    public var shortName: String {
        switch self {
        case .deployment(let kind): "deployment.\(kind.rawValue)"
        case .node(let kind): "node.\(kind.rawValue)"
        }
    }

    /// The full CloudEvents `type`.
    public var name: String { Self.prefix + shortName }

    /// Parses a short name (`deployment.completed`) or a full one (`io.wasmorchestrator.deployment.completed`).
    public init?(_ text: String) {
        let short = text.hasPrefix(Self.prefix) ? String(text.dropFirst(Self.prefix.count)) : text
        guard let type = Self.all.first(where: { $0.shortName == short }) else { return nil }
        self = type
    }
}
