/// An RFC 9457 problem document.
public struct ProblemDetails: Codable, Sendable, Equatable {
    /// A URI naming the problem type; see `docs/errors.md`.
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// The request id, so a report can be matched with the server's logs.
    public var instance: String

    public init(type: String, title: String, status: Int, detail: String, instance: String) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
    }

    /// Problem type URIs are URNs: stable names that need no web server.
    public static func typeURI(_ slug: String) -> String {
        "urn:wasm-orchestrator:problem:\(slug)"
    }
}
