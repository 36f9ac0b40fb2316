import Foundation
import OrchestratorDomain

/// One event as the event stream writes it: the CloudEvents id and type, and the envelope's JSON text as produced.
public struct StreamedEvent: Sendable, Hashable {
    public let id: String
    /// The full CloudEvents type, e.g. `io.wasmorchestrator.deployment.completed`.
    public let type: String
    public let json: String

    public init(_ envelope: CloudEvent) {
        self.id = envelope.id
        self.type = envelope.event.type.name
        self.json = envelope.json
    }

    private struct Header: Decodable {
        let id: String
        let type: String
    }

    /// An envelope received from another replica through the cache's pub/sub; `nil` for a message that is not one.
    init?(message: String) {
        // Checked before it is framed: a CR or LF in the message (what SSE splits lines on; JSON escapes every other
        // line separator), a type that is not ours or an id that is not a UUID would otherwise write lines of its own
        // into every subscriber's stream.
        guard !message.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }),
            let header = try? JSONDecoder().decode(Header.self, from: Data(message.utf8)),
            EventType(header.type) != nil, UUID(uuidString: header.id) != nil
        else { return nil }
        self.id = header.id
        self.type = header.type
        self.json = message
    }

    /// The event in the `text/event-stream` framing: `id:`, `event:`, one `data:` line, and a blank line.
    public var frame: String { "id: \(id)\nevent: \(type)\ndata: \(json)\n\n" }

    /// Whether `filter` (short type prefixes such as `deployment` or `node.offline`; empty: everything) selects the event.
    func matches(_ filter: [String]) -> Bool {
        guard !filter.isEmpty else { return true }
        let short = type.dropFirst(EventType.prefix.count)
        return filter.contains { short.hasPrefix($0) }
    }
}
