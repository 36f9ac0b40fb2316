/// One environment's outgoing webhook: where to POST, the signing secret, and which event types to send.
public struct WebhookEndpoint: Sendable, Hashable {
    /// An `https` URL (plain `http` only to a loopback host, or with the explicit insecure setting).
    public var url: String
    /// The HMAC-SHA256 key for the signature header; from configuration, never from code.
    public var secret: String
    public var types: Set<EventType>

    /// The list: approval needed, started, paused, failed, rolled back, completed, and node offline.
    public static let defaultTypes: Set<EventType> = [
        .deployment(.approvalRequested), .deployment(.started), .deployment(.paused), .deployment(.failed), .deployment(.rolledBack),
        .deployment(.completed), .node(.offline),
    ]

    public init(url: String, secret: String, types: Set<EventType> = defaultTypes) {
        self.url = url
        self.secret = secret
        self.types = types
    }
}
