/// The parts of an HTTP request that SigV4 signs.
///
/// `path` and query names/values are **unencoded**; the signer applies the
/// SigV4 encoding exactly once (S3 style: no double encoding, no path normalization).
public struct SigV4Request: Sendable, Hashable {
    public var method: String
    public var path: String
    public var query: [(String, String)]
    public var headers: [(String, String)]

    public init(method: String, path: String, query: [(String, String)] = [], headers: [(String, String)] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }

    public static func == (lhs: SigV4Request, rhs: SigV4Request) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path
            && lhs.query.elementsEqual(rhs.query, by: ==) && lhs.headers.elementsEqual(rhs.headers, by: ==)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(path)
        for (name, value) in query {
            hasher.combine(name)
            hasher.combine(value)
        }
        for (name, value) in headers {
            hasher.combine(name)
            hasher.combine(value)
        }
    }

    /// The query string as sent on the wire: SigV4-encoded, in the given order.
    public var encodedQuery: String {
        query.map { SigV4Encoding.encode($0.0) + "=" + SigV4Encoding.encode($0.1) }.joined(separator: "&")
    }

    /// The path as sent on the wire.
    public var encodedPath: String {
        SigV4Encoding.encode(path.isEmpty ? "/" : path, keepSlash: true)
    }
}
