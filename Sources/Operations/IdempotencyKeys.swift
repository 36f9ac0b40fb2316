import OrchestratorPorts

/// The idempotency use case: claiming, completing and releasing `Idempotency-Key`s.
///
/// It owns the timing rules (how long an answer is kept, when a claim without
/// an answer is taken to belong to a crashed request); the HTTP layer owns
/// fingerprinting and replaying responses.
public struct IdempotencyKeys: Sendable {
    /// A claim older than this without an answer belongs to a crashed request and may be taken over.
    public static let staleClaimSeconds = 300.0

    private let store: any IdempotencyStore
    private let ttlSeconds: Int
    private let now: @Sendable () -> Double

    /// - Parameter ttlSeconds: how long a completed answer is kept for replay.
    public init(store: any IdempotencyStore, ttlSeconds: Int, now: @escaping @Sendable () -> Double) {
        self.store = store
        self.ttlSeconds = ttlSeconds
        self.now = now
    }

    /// Claims `key` for the request with `fingerprint`, or reports what an earlier request with it left.
    public func claim(_ key: IdempotencyKey, fingerprint: String) async throws -> IdempotencyClaim {
        let time = now()
        return try await store.claimIdempotencyKey(
            key, fingerprint: fingerprint, at: time, expiresAt: time + Double(ttlSeconds), staleBefore: time - Self.staleClaimSeconds)
    }

    /// Keeps `response` for replay; if that fails the claim is released, so a retry runs afresh.
    public func complete(_ key: IdempotencyKey, with response: StoredResponse) async {
        do {
            try await store.completeIdempotencyKey(key, response: response)
        } catch {
            await release(key)
        }
    }

    /// Forgets a claim whose request gave no replayable answer. Best effort: a claim left behind goes stale.
    public func release(_ key: IdempotencyKey) async {
        try? await store.releaseIdempotencyKey(key)
    }
}
