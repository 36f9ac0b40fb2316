import NIOConcurrencyHelpers
import Operations
import OrchestratorPorts
import Testing

@Suite("Idempotency keys: the use case owns the timing rules")
struct IdempotencyKeysTests {
    /// Records every call and answers claims with `answer`; `failCompletion` makes completing throw.
    final class RecordingStore: IdempotencyStore {
        struct Claim: Equatable { let at: Double, expiresAt: Double, staleBefore: Double, fingerprint: String }
        let claims = NIOLockedValueBox<[Claim]>([])
        let completed = NIOLockedValueBox<[IdempotencyKey]>([])
        let released = NIOLockedValueBox<[IdempotencyKey]>([])
        let failCompletion: Bool

        init(failCompletion: Bool = false) { self.failCompletion = failCompletion }

        func claimIdempotencyKey(
            _ key: IdempotencyKey, fingerprint: String, at time: Double, expiresAt: Double, staleBefore: Double
        ) async throws -> IdempotencyClaim {
            claims.withLockedValue { $0.append(Claim(at: time, expiresAt: expiresAt, staleBefore: staleBefore, fingerprint: fingerprint)) }
            return .claimed
        }

        func completeIdempotencyKey(_ key: IdempotencyKey, response: StoredResponse) async throws {
            struct Down: Error {}
            if failCompletion { throw Down() }
            completed.withLockedValue { $0.append(key) }
        }

        func releaseIdempotencyKey(_ key: IdempotencyKey) async throws {
            released.withLockedValue { $0.append(key) }
        }
    }

    static let key = IdempotencyKey(scope: "admin#admin", key: "k-1")
    static let answer = StoredResponse(status: 201, headers: [], body: [])

    @Test("a claim is kept for the configured time and takes over claims older than five minutes")
    func claimTiming() async throws {
        let store = RecordingStore()
        let keys = IdempotencyKeys(store: store, ttlSeconds: 86_400, now: { 1_000_000 })
        #expect(try await keys.claim(Self.key, fingerprint: "f") == .claimed)
        #expect(store.claims.withLockedValue { $0 } == [.init(at: 1_000_000, expiresAt: 1_086_400, staleBefore: 999_700, fingerprint: "f")])
    }

    @Test("an answer that cannot be stored releases its claim, so a retry runs afresh")
    func failedCompletionReleases() async {
        let store = RecordingStore(failCompletion: true)
        await IdempotencyKeys(store: store, ttlSeconds: 60, now: { 0 }).complete(Self.key, with: Self.answer)
        #expect(store.released.withLockedValue { $0 } == [Self.key])

        let healthy = RecordingStore()
        await IdempotencyKeys(store: healthy, ttlSeconds: 60, now: { 0 }).complete(Self.key, with: Self.answer)
        #expect(healthy.completed.withLockedValue { $0 } == [Self.key])
        #expect(healthy.released.withLockedValue { $0 }.isEmpty)
    }
}
