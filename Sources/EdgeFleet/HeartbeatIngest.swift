import Foundation
import Logging
import NIOConcurrencyHelpers
import OrchestratorDomain
import OrchestratorPorts
import ServiceLifecycle

/// The heartbeat write path, cheap at fleet scale.
///
/// A heartbeat only lands in memory on the replica that received it. Two
/// cadences make it visible and durable:
/// - every ``cacheFlushInterval`` (250 ms) the newest heartbeat per node is
///   written to the cache in one `MSET`, so every replica sees it; when the
///   cache is down that batch goes straight to the database instead;
/// - every ``FleetSettings/heartbeatFlushSeconds`` the newest per node is
///   written to the database in one statement. A failed write keeps the
///   batch (newest per node) for the next tick.
/// The replica that received a heartbeat always sees it at once (``latest(_:)``
/// reads its own buffer first).
public final class HeartbeatIngest: Service, Sendable {
    /// How often received heartbeats are published to the cache.
    public static let cacheFlushInterval: Duration = .milliseconds(250)

    private let store: any NodeStore
    private let cache: any CacheStore
    private let flushInterval: Double
    /// Newest per node, not yet in the database.
    private let pending = NIOLockedValueBox<[NodeID: HeartbeatSnapshot]>([:])
    /// The batch ``flush()`` is writing: still read by ``latest(_:)`` until the database has it.
    private let writing = NIOLockedValueBox<[NodeID: HeartbeatSnapshot]>([:])
    /// Newest per node, not yet in the cache.
    private let unpublished = NIOLockedValueBox<[NodeID: HeartbeatSnapshot]>([:])
    private let logger: Logger

    public init(store: any NodeStore, cache: any CacheStore, settings: FleetSettings, logger: Logger) {
        self.store = store
        self.cache = cache
        self.flushInterval = settings.heartbeatFlushSeconds
        self.logger = logger
    }

    static func cacheKey(_ node: NodeID) -> String { "heartbeat:\(node.value)" }

    /// Accepts one validated heartbeat. Never waits for the cache or the database.
    public func record(_ snapshot: HeartbeatSnapshot) {
        Self.keepNewest(snapshot, in: pending)
        Self.keepNewest(snapshot, in: unpublished)
    }

    /// Drops what is known about a deregistered node, so an id enrolled again starts Offline.
    public func forget(_ node: NodeID) async {
        pending.withLockedValue { $0[node] = nil }
        writing.withLockedValue { $0[node] = nil }
        unpublished.withLockedValue { $0[node] = nil }
        try? await cache.delete(Self.cacheKey(node))
    }

    /// The newest heartbeat known for `node`: this replica's own, the cache's, or the database's.
    public func latest(_ node: NodeRecord) async -> (at: Double, heartbeat: Heartbeat)? {
        newest(node, cached: try? await cache.get(Self.cacheKey(node.id)))
    }

    /// The newest heartbeat known for each of `nodes`, reading the cache in one round trip
    /// (a cache that fails counts as a miss for every node, as in ``latest(_:)``).
    public func latest(_ nodes: [NodeRecord]) async -> [NodeID: (at: Double, heartbeat: Heartbeat)] {
        guard !nodes.isEmpty else { return [:] }
        let cached = (try? await cache.getMany(nodes.map { Self.cacheKey($0.id) })) ?? []
        var result: [NodeID: (at: Double, heartbeat: Heartbeat)] = [:]
        for (index, node) in nodes.enumerated() {
            result[node.id] = newest(node, cached: index < cached.count ? cached[index] : nil)
        }
        return result
    }

    /// The newest of this replica's buffers, the cache's copy (`cached`) and the node's row.
    private func newest(_ node: NodeRecord, cached text: String?) -> (at: Double, heartbeat: Heartbeat)? {
        var best: (at: Double, heartbeat: Heartbeat)?
        for local in [pending.withLockedValue({ $0[node.id] }), writing.withLockedValue({ $0[node.id] })].compactMap({ $0 })
        where local.at > (best?.at ?? -1) {
            best = (local.at, local.heartbeat)
        }
        if let text, let cached = NodeCoding.decode(CachedHeartbeat.self, text),
            cached.at >= node.registeredAt, cached.at > (best?.at ?? -1)
        {
            best = (cached.at, cached.heartbeat)
        }
        if let at = node.lastHeartbeatAt, let heartbeat = node.lastHeartbeat, at > (best?.at ?? -1) { best = (at, heartbeat) }
        return best
    }

    /// Publishes unpublished heartbeats to the cache in one round trip; with
    /// the cache down, writes them to the database instead. Returns how many.
    @discardableResult
    public func publish() async throws -> Int {
        let batch = Self.take(unpublished)
        guard !batch.isEmpty else { return 0 }
        do {
            try await cache.setMany(try batch.map { (Self.cacheKey($0.nodeID), try NodeCoding.encode(CachedHeartbeat($0))) })
        } catch is DependencyUnavailableError {
            try await store.recordHeartbeats(batch)  // no cache: make them durable now
        }
        return batch.count
    }

    /// Writes the pending batch to the database now. Returns how many nodes were written.
    @discardableResult
    public func flush() async throws -> Int {
        let batch = Self.take(pending)
        guard !batch.isEmpty else { return 0 }
        writing.withLockedValue { $0 = Dictionary(batch.map { ($0.nodeID, $0) }, uniquingKeysWith: { a, _ in a }) }
        defer { writing.withLockedValue { $0.removeAll(keepingCapacity: true) } }
        do {
            for start in stride(from: 0, to: batch.count, by: 1000) {
                try await store.recordHeartbeats(Array(batch[start..<min(start + 1000, batch.count)]))
            }
            return batch.count
        } catch {
            for snapshot in batch { Self.keepNewest(snapshot, in: pending) }
            throw error
        }
    }

    public func run() async throws {
        var lastFlush = ContinuousClock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.cacheFlushInterval) }
            do {
                try await publish()
            } catch {
                logger.warning("heartbeat publish failed; will retry", metadata: ["error": "\(error)"])
            }
            guard ContinuousClock.now - lastFlush >= .seconds(flushInterval) else { continue }
            lastFlush = ContinuousClock.now
            do {
                try await flush()
            } catch {
                logger.warning("heartbeat flush failed; will retry", metadata: ["error": "\(error)"])
            }
        }
        _ = try? await publish()
        _ = try? await flush()  // last batch at shutdown
    }

    private static func keepNewest(_ snapshot: HeartbeatSnapshot, in box: NIOLockedValueBox<[NodeID: HeartbeatSnapshot]>) {
        box.withLockedValue { batch in
            if let existing = batch[snapshot.nodeID], existing.at > snapshot.at { return }
            batch[snapshot.nodeID] = snapshot
        }
    }

    private static func take(_ box: NIOLockedValueBox<[NodeID: HeartbeatSnapshot]>) -> [HeartbeatSnapshot] {
        box.withLockedValue { batch in
            defer { batch.removeAll(keepingCapacity: true) }
            return Array(batch.values)
        }
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
