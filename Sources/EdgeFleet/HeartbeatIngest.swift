import Foundation
import Logging
import NIOConcurrencyHelpers
import OrchestratorDomain
import OrchestratorPorts
import ServiceLifecycle

/// The heartbeat write path, cheap at fleet scale.
///
/// A heartbeat goes to the cache (so every replica sees it at once) and
/// into an in-memory batch that this service writes to the database every
/// ``FleetSettings/heartbeatFlushSeconds`` in one statement. When the
/// cache is down the heartbeat is written to the database directly. A
/// failed flush keeps the batch (newest per node) for the next tick, so the
/// durable copy lags by at most the flush interval while the database answers.
public final class HeartbeatIngest: Service, Sendable {
    private let store: any NodeStore
    private let cache: any CacheStore
    private let flushInterval: Double
    private let cacheTTL: Int
    private let pending = NIOLockedValueBox<[NodeID: HeartbeatSnapshot]>([:])
    private let logger: Logger

    public init(store: any NodeStore, cache: any CacheStore, settings: FleetSettings, logger: Logger) {
        self.store = store
        self.cache = cache
        self.flushInterval = settings.heartbeatFlushSeconds
        self.cacheTTL = Int(settings.health.offlineAfterSeconds * 2)
        self.logger = logger
    }

    static func cacheKey(_ node: NodeID) -> String { "heartbeat:\(node.value)" }

    /// Accepts one validated heartbeat.
    public func record(_ snapshot: HeartbeatSnapshot) async throws {
        do {
            try await cache.set(Self.cacheKey(snapshot.nodeID), value: try NodeCoding.encode(CachedHeartbeat(snapshot)), ttlSeconds: cacheTTL)
        } catch is DependencyUnavailableError {
            try await store.recordHeartbeats([snapshot])  // no cache: the database is the only copy
            return
        }
        pending.withLockedValue { pending in
            if let existing = pending[snapshot.nodeID], existing.at >= snapshot.at { return }
            pending[snapshot.nodeID] = snapshot
        }
    }

    /// Drops what is known about a deregistered node, so an id enrolled again starts Offline.
    public func forget(_ node: NodeID) async {
        pending.withLockedValue { $0[node] = nil }
        try? await cache.delete(Self.cacheKey(node))
    }

    /// The newest heartbeat known for `node`: the cache's, else the database's.
    public func latest(_ node: NodeRecord) async -> (at: Double, heartbeat: Heartbeat)? {
        if let text = try? await cache.get(Self.cacheKey(node.id)), let cached = NodeCoding.decode(CachedHeartbeat.self, text),
           cached.at >= (node.lastHeartbeatAt ?? 0), cached.at >= node.registeredAt
        {
            return (cached.at, cached.heartbeat)
        }
        if let at = node.lastHeartbeatAt, let heartbeat = node.lastHeartbeat { return (at, heartbeat) }
        return nil
    }

    /// Writes the pending batch now. Returns how many nodes were written.
    @discardableResult
    public func flush() async throws -> Int {
        let batch = pending.withLockedValue { pending -> [HeartbeatSnapshot] in
            defer { pending.removeAll(keepingCapacity: true) }
            return Array(pending.values)
        }
        guard !batch.isEmpty else { return 0 }
        do {
            for chunk in stride(from: 0, to: batch.count, by: 1000).map({ Array(batch[$0..<min($0 + 1000, batch.count)]) }) {
                try await store.recordHeartbeats(chunk)
            }
            return batch.count
        } catch {
            pending.withLockedValue { pending in
                for snapshot in batch where (pending[snapshot.nodeID]?.at ?? -1) < snapshot.at { pending[snapshot.nodeID] = snapshot }
            }
            throw error
        }
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(self.flushInterval)) }
            do {
                try await flush()
            } catch {
                logger.warning("heartbeat flush failed; will retry", metadata: ["error": "\(error)"])
            }
        }
        try? await flush()  // last batch at shutdown
    }
}

/// The cache's copy of a node's newest heartbeat.
struct CachedHeartbeat: Codable {
    let at: Double
    let heartbeat: Heartbeat

    init(_ snapshot: HeartbeatSnapshot) {
        at = snapshot.at
        heartbeat = snapshot.heartbeat
    }
}
