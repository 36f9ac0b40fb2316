import EdgeFleet
import Foundation
import InProcessCache
import NIOConcurrencyHelpers
import OrchestratorDomain
import OrchestratorPorts
import Testing

/// The health monitor's presence read is one cache round trip per pass, however large the fleet.
@Suite("Health monitor batching")
struct HealthMonitorBatchTests {
    @Test("a pass reads every node's presence in one getMany and no get")
    func onePresenceReadPerPass() async throws {
        try await FleetBackend.embedded.withFleet { fleet async throws in
            let cache = CountingCache(InProcessCache())
            let receiver = try await fleet.replica(cache: cache)
            let monitor = try await fleet.replica(cache: cache)  // sees heartbeats only through the cache
            for name in ["b-1", "b-2", "b-3", "b-4"] { _ = try await fleet.enroll(receiver, name) }
            for name in ["b-1", "b-3"] { try await receiver.heartbeat(NodeProtocolTests.heartbeat(), from: nodeID(name)) }
            #expect(try await receiver.heartbeats.publish() == 2)

            cache.reset()
            let transitions = try await monitor.health.evaluateOnce()
            #expect(Set(transitions.filter { $0.to == .healthy }.map(\.nodeID)) == [nodeID("b-1"), nodeID("b-3")])
            #expect(cache.calls == ["getMany": 1])
            cache.reset()
            _ = try await monitor.health.evaluateOnce()
            #expect(cache.calls == ["getMany": 1])
        }
    }
}

/// A cache that counts the calls of each kind it forwards.
final class CountingCache: CacheStore {
    private let inner: any CacheStore
    private let counts = NIOLockedValueBox<[String: Int]>([:])

    init(_ inner: any CacheStore) { self.inner = inner }

    var healthName: String { inner.healthName }
    /// Calls per method name since the last ``reset()``.
    var calls: [String: Int] { counts.withLockedValue { $0 } }
    func reset() { counts.withLockedValue { $0 = [:] } }
    private func count(_ name: String) { counts.withLockedValue { $0[name, default: 0] += 1 } }

    func get(_ key: String) async throws -> String? {
        count("get")
        return try await inner.get(key)
    }

    func getMany(_ keys: [String]) async throws -> [String?] {
        count("getMany")
        return try await inner.getMany(keys)
    }

    func set(_ key: String, value: String, ttlSeconds: Int?) async throws {
        count("set")
        try await inner.set(key, value: value, ttlSeconds: ttlSeconds)
    }

    func setMany(_ entries: [(key: String, value: String)]) async throws {
        count("setMany")
        try await inner.setMany(entries)
    }

    func delete(_ key: String) async throws {
        count("delete")
        try await inner.delete(key)
    }

    func increment(_ key: String, by delta: Int, ttlSeconds: Int?) async throws -> Int {
        count("increment")
        return try await inner.increment(key, by: delta, ttlSeconds: ttlSeconds)
    }

    func takeTokens(_ key: String, cost: Int, policy: TokenBucketPolicy) async throws -> TokenBucketDecision {
        count("takeTokens")
        return try await inner.takeTokens(key, cost: cost, policy: policy)
    }

    func publish(channel: String, message: String) async throws {
        count("publish")
        try await inner.publish(channel: channel, message: message)
    }

    func subscribe(channel: String) async throws -> AsyncStream<String> {
        count("subscribe")
        return try await inner.subscribe(channel: channel)
    }

    func ping() async throws {
        count("ping")
        try await inner.ping()
    }
}
