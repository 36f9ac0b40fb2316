/// Something that happened to a deployment or a node, as a use case publishes it after its commit.
///
/// The publisher wraps it in a ``CloudEvent`` (it adds the id and the formatted time); clients refetch
/// the resource the event names, so the data carries only what identifies and summarises the change.
public struct OrchestratorEvent: Sendable, Hashable {
    public var type: EventType
    /// Seconds since 1970, when the transition was committed.
    public var time: Double
    public var data: EventData

    public init(type: EventType, time: Double, data: EventData) {
        self.type = type
        self.time = time
        self.data = data
    }

    /// The resource's id: the deployment's or the node's.
    public var subject: String {
        switch data {
        case .deployment(let data): data.deploymentID
        case .node(let data): data.nodeID
        }
    }

    /// The CloudEvents `source`: the resource's path in the API.
    public var source: String {
        switch data {
        case .deployment(let data): "/api/v1/wasm/deployments/\(data.deploymentID)"
        case .node(let data): "/api/v1/wasm/nodes/\(data.nodeID)"
        }
    }

    /// The environment the resource belongs to (webhooks are configured per environment).
    public var environment: String {
        switch data {
        case .deployment(let data): data.environment
        case .node(let data): data.environment
        }
    }
}

/// The `data` member of an event.
public enum EventData: Sendable, Hashable {
    case deployment(DeploymentEventData)
    case node(NodeEventData)
}

/// A deployment event's data: which deployment, of what, where, and its status before and after.
public struct DeploymentEventData: Sendable, Hashable {
    public var deploymentID: String
    public var module: String
    public var version: String
    public var environment: String
    public var status: DeploymentState
    /// `nil` for `created`.
    public var previousStatus: DeploymentState?

    public init(record: DeploymentRecord, previousStatus: DeploymentState?) {
        self.deploymentID = record.id
        self.module = record.spec.moduleName
        self.version = record.spec.moduleVersion
        self.environment = record.spec.environment
        self.status = record.state
        self.previousStatus = previousStatus
    }
}

/// A node event's data: which node, its environment, and its health before and after (both the current health
/// for enrollment and enablement events, whose `previousHealth` is `nil`).
public struct NodeEventData: Sendable, Hashable {
    public var nodeID: String
    public var environment: String
    public var health: NodeHealth
    public var previousHealth: NodeHealth?

    public init(nodeID: String, environment: String, health: NodeHealth, previousHealth: NodeHealth? = nil) {
        self.nodeID = nodeID
        self.environment = environment
        self.health = health
        self.previousHealth = previousHealth
    }
}
