/// A CloudEvents 1.0 envelope in structured JSON mode: the same text on the event stream and in webhook bodies.
public struct CloudEvent: Sendable, Hashable {
    /// A UUID, unique per event (consumers deduplicate on it).
    public var id: String
    /// The RFC 3339 UTC time, e.g. `2026-12-01T21:00:00Z`.
    public var time: String
    public var event: OrchestratorEvent

    public static let specVersion = "1.0"

    public init(id: String, time: String, event: OrchestratorEvent) {
        self.id = id
        self.time = time
        self.event = event
    }

    /// The envelope's JSON, members in the order of the shared contract (`specversion`, `id`, `source`, `type`, `subject`,
    /// `time`, `datacontenttype`, `data`), on one line: an SSE `data:` line and a webhook body are this text.
    public var json: String {
        var object = JSONObjectText()
        object.add("specversion", Self.specVersion)
        object.add("id", id)
        object.add("source", event.source)
        object.add("type", event.type.name)
        object.add("subject", event.subject)
        object.add("time", time)
        object.add("datacontenttype", "application/json")
        object.addRaw("data", event.data.json)
        return object.text
    }
}

extension EventData {
    /// The `data` member's JSON; an absent previous value is left out.
    public var json: String {
        var object = JSONObjectText()
        switch self {
        case .deployment(let data):
            object.add("deploymentId", data.deploymentID)
            object.add("module", data.module)
            object.add("version", data.version)
            object.add("environment", data.environment)
            object.add("status", data.status.rawValue)
            if let previous = data.previousStatus { object.add("previousStatus", previous.rawValue) }
        case .node(let data):
            object.add("nodeId", data.nodeID)
            object.add("environment", data.environment)
            object.add("health", data.health.rawValue)
            if let previous = data.previousHealth { object.add("previousHealth", previous.rawValue) }
        }
        return object.text
    }
}
