import Foundation
import InProcessCache
import Logging
import OrchestratorApp
import OrchestratorAuth
import OrchestratorDomain
import OrchestratorPorts
import RedisCache
import Testing

/// Revocation across replicas: two `TokenRevocations` (each with its own
/// in-memory list and cache connection, as two server processes have) over
/// one metadata store. Runs on SQLite + in-process cache always, and on
/// PostgreSQL + Redis when the services are configured.
@Suite("Token revocation across replicas")
struct TokenRevocationTests {
    struct Stack: Sendable, CustomTestStringConvertible {
        let metadata: MetadataBackend
        let cache: CacheBackend
        var testDescription: String { "\(metadata.rawValue)+\(cache.rawValue)" }

        static var available: [Stack] {
            var stacks = [Stack(metadata: .sqlite, cache: .inProcess)]
            if TestServices.hasPostgres && TestServices.hasRedis { stacks.append(Stack(metadata: .postgres, cache: .redis)) }
            return stacks
        }

        /// A migrated store and two caches that reach each other (one shared in-process cache, or two Redis clients).
        func with(_ body: @Sendable @escaping (any MetadataStore, any CacheStore, any CacheStore) async throws -> Void) async throws {
            try await metadata.withStore { store in
                _ = try await store.migrate(try BundledResources.migrations(for: metadata.dialect))
                try await cache.withSharedPair { first, second in try await body(store, first, second) }
            }
        }
    }

    static let admin = Principal(subject: "root", role: .admin, expiresAt: Date().timeIntervalSince1970 + 3600, tokenID: "admin-jti")

    private func replica(_ store: any MetadataStore, _ cache: any CacheStore, reconcileSeconds: Double = 3600) -> TokenRevocations {
        TokenRevocations(
            store: store, cache: cache, list: RevocationList(), maxLifetimeSeconds: 3600, reconcileSeconds: reconcileSeconds,
            logger: Logger(label: "test.revocations"))
    }

    /// Polls `condition` every 10 ms; `true` as soon as it holds, `false` when `seconds` pass first.
    private func eventually(within seconds: Double, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test("a revocation on one replica is refused by the other's verifier through pub/sub, long before the reconcile", arguments: Stack.available)
    func otherReplicaWithinOneSecond(stack: Stack) async throws {
        try await stack.with { store, cacheA, cacheB in
            let a = replica(store, cacheA)
            let b = replica(store, cacheB)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await b.run() }
                defer { group.cancelAll() }
                // Wait until B follows the channel: warm-up revocations until one arrives.
                var live = false
                for attempt in 0..<100 where !live {
                    let probe = "warmup-\(attempt)"
                    try await a.revoke(probe, by: Self.admin, requestID: nil)
                    live = try await eventually(within: 0.5) { b.list.contains(probe) }
                }
                #expect(live, "replica B never followed the revocation channel")

                let verifier = try await TokenVerifier.make(
                    settings: AuthSettings(secret: String(repeating: "k", count: 32)), revocations: b.list)
                let issuer = try await TokenIssuer.make(settings: AuthSettings(secret: String(repeating: "k", count: 32)))
                let minted = try await issuer.mint(subject: "mallory", role: .admin, ttlSeconds: 600)
                #expect(try await verifier.verify(minted.token).subject == "mallory")

                try await a.revoke(minted.tokenID, by: Self.admin, requestID: "req-1")
                #expect(a.list.contains(minted.tokenID), "the revoking replica refuses it at once")
                // Pub/sub delivers it in milliseconds; the bound leaves a loaded CI machine its margin and stays far
                // below the hourly reconcile, so only the message can have taught B.
                let learned = try await eventually(within: 10) { b.list.contains(minted.tokenID) }
                #expect(learned, "replica B did not learn the revocation from the channel")
                await #expect(throws: AuthenticationError.revoked) { try await verifier.verify(minted.token) }
            }
        }
    }

    @Test("a replica that missed the message (started later) learns every revocation from the store", arguments: Stack.available)
    func restartedReplicaReconciles(stack: Stack) async throws {
        try await stack.with { store, cacheA, cacheB in
            let a = replica(store, cacheA)
            try await a.revoke("gone-1", by: Self.admin, requestID: nil)
            try await a.revoke("gone-1", by: Self.admin, requestID: nil)  // idempotent
            let late = replica(store, cacheB)
            #expect(!late.list.contains("gone-1"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await late.run() }
                defer { group.cancelAll() }
                let learned = try await eventually(within: 20) { late.list.contains("gone-1") }
                #expect(learned)
            }
            let stored = try await store.revocations(activeAt: Date().timeIntervalSince1970)
            #expect(stored.map(\.tokenID) == ["gone-1"])
            #expect(stored.first?.revokedBy == "root")
            let audit = try await store.recentAudit(limit: 5).filter { $0.action == "auth.token.revoke" }
            #expect(audit.count == 2 && audit.allSatisfy { $0.target == "token:gone-1" && $0.outcome == .success })
        }
    }

    @Test("revocations are kept until the token's exp and then purged", arguments: MetadataBackend.available)
    func expiryAndPurge(backend: MetadataBackend) async throws {
        try await backend.withStore { store in
            _ = try await store.migrate(try BundledResources.migrations(for: backend.dialect))
            let audit = AuditEvent(actor: "root", action: "auth.token.revoke", target: "token:t", outcome: .success, requestID: nil, occurredAt: 1)
            try await store.revoke(TokenRevocation(tokenID: "short", revokedBy: "root", revokedAt: 100, expiresAt: 200), audit: audit)
            try await store.revoke(TokenRevocation(tokenID: "long", revokedBy: "root", revokedAt: 100, expiresAt: 900), audit: audit)
            // Revoking again never shortens the entry.
            try await store.revoke(TokenRevocation(tokenID: "long", revokedBy: "root", revokedAt: 150, expiresAt: 300), audit: audit)
            #expect(try await store.revocations(activeAt: 150).map(\.tokenID) == ["long", "short"])
            #expect(try await store.revocations(activeAt: 250).map(\.tokenID) == ["long"])
            #expect(try await store.purgeRevocations(expiredBefore: 250) == 1)
            #expect(try await store.revocations(activeAt: 0).map(\.tokenID) == ["long"])
            #expect(try await store.revocations(activeAt: 0).first?.expiresAt == 900)
        }
    }

    @Test("the audit log keeps the actor chain next to the subject", arguments: MetadataBackend.available)
    func auditActorChain(backend: MetadataBackend) async throws {
        try await backend.withStore { store in
            _ = try await store.migrate(try BundledResources.migrations(for: backend.dialect))
            try await store.appendAudit(
                AuditEvent(
                    actor: "bob", action: "deployment.approve", target: "deployment:x", outcome: .denied, requestID: nil, occurredAt: 5,
                    actors: ["alice", "root"]))
            try await store.appendAudit(
                AuditEvent(actor: "carol", action: "deployment.approve", target: "deployment:x", outcome: .success, requestID: nil, occurredAt: 6))
            let events = try await store.recentAudit(limit: 2)
            #expect(events.map(\.actors) == [[], ["alice", "root"]])
            let page = try await store.auditEvents(AuditQuery(actor: "bob"))
            #expect(page.items.first?.event.actors == ["alice", "root"])
        }
    }
}

extension CacheBackend {
    /// Two caches that see each other's publications: the same in-process cache twice, or two Redis clients with one prefix.
    func withSharedPair(_ body: @Sendable @escaping (any CacheStore, any CacheStore) async throws -> Void) async throws {
        switch self {
        case .inProcess:
            let shared = InProcessCache()
            try await body(shared, shared)
        case .redis:
            let endpoint = try RedisEndpoint(url: try TestServices.require("TEST_REDIS_URL"))
            let prefix = uniqueName("rv") + ":"
            let first = RedisCache(endpoint: endpoint, keyPrefix: prefix, logger: Logger(label: "test.redis"))
            let second = RedisCache(endpoint: endpoint, keyPrefix: prefix, logger: Logger(label: "test.redis"))
            try await withRunning([first, second]) { try await body(first, second) }
        }
    }
}
