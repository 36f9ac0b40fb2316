import OrchestratorDomain

/// A request's idempotency key, scoped to the caller.
public struct IdempotencyKey: Sendable, Hashable {
    /// The caller (token subject), so two callers' keys never collide.
    public var scope: String
    public var key: String

    public init(scope: String, key: String) {
        self.scope = scope
        self.key = key
    }
}

/// A response kept for replay.
public struct StoredResponse: Sendable, Hashable, Codable {
    public var status: Int
    /// Header name/value pairs worth replaying (content type, location, ETag).
    public var headers: [[String]]
    public var body: [UInt8]

    public init(status: Int, headers: [[String]], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// What claiming a key found.
public enum IdempotencyClaim: Sendable, Hashable {
    /// New key: run the request, then ``IdempotencyStore/complete(_:response:)`` or ``IdempotencyStore/release(_:)``.
    case claimed
    /// Same key and request: answer with this.
    case replay(StoredResponse)
    /// Same key, different request (method, path or body).
    case mismatch
    /// The first request with this key is still running.
    case inProgress
}

/// Idempotency keys of write requests.
public protocol IdempotencyStore: Sendable {
    /// Claims `key` for a request with `fingerprint`. Expired records, and
    /// in-progress claims older than `staleBefore` (a crashed request), are taken over.
    func claimIdempotencyKey(
        _ key: IdempotencyKey, fingerprint: String, at time: Double, expiresAt: Double, staleBefore: Double
    ) async throws -> IdempotencyClaim
    func completeIdempotencyKey(_ key: IdempotencyKey, response: StoredResponse) async throws
    /// Forgets a claim whose request did not produce a replayable answer.
    func releaseIdempotencyKey(_ key: IdempotencyKey) async throws
}
