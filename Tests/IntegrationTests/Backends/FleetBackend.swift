import EdgeFleet
import Foundation
import InProcessCache
import Logging
import NIOConcurrencyHelpers
import OrchestratorApp
import OrchestratorDomain
import OrchestratorPorts
import RedisCache
import Testing

/// The node protocol over each real stack: embedded (SQLite + in-process
/// cache) and production (PostgreSQL + Redis).
enum FleetBackend: String, CaseIterable, CustomTestStringConvertible {
    case embedded
    case production

    var testDescription: String { rawValue }

    static var available: [FleetBackend] {
        TestServices.hasPostgres && TestServices.hasRedis ? [.embedded, .production] : [.embedded]
    }

    var metadata: MetadataBackend { self == .embedded ? .sqlite : .postgres }

    /// Runs `body` with a migrated store and a factory for "replicas": each
    /// call of `replica()` builds another `NodeService` over the same store
    /// and, in production, its own Redis connection with the same key prefix.
    func withFleet<T: Sendable>(
        clock: TestClock = TestClock(), settings: FleetSettings = FleetSettings(),
        _ body: @Sendable (FleetHarness) async throws -> T
    ) async throws -> T {
        let dialect = metadata.dialect
        let backend = self
        return try await metadata.withStore { store in
            _ = try await store.migrate(try BundledResources.migrations(for: dialect))
            let prefix = uniqueName("fleet") + ":"
            let shared = InProcessCache()
            let caches = CacheList()
            let makeCache: @Sendable () async throws -> any CacheStore = {
                switch backend {
                case .embedded: return shared
                case .production:
                    let cache = RedisCache(
                        endpoint: try RedisEndpoint(url: try TestServices.require("TEST_REDIS_URL")), keyPrefix: prefix,
                        logger: Logger(label: "test.redis"))
                    try await caches.run(cache)
                    return cache
                }
            }
            let harness = FleetHarness(store: store, clock: clock, settings: settings, makeCache: makeCache)
            do {
                let result = try await body(harness)
                await harness.stop()
                await caches.shutdown()
                return result
            } catch {
                await harness.stop()
                await caches.shutdown()
                throw error
            }
        }
    }
}

/// A store plus replicas of the node service; each replica's desired-state hub is running.
final class FleetHarness: Sendable {
    let store: any MetadataStore
    let clock: TestClock
    let settings: FleetSettings
    private let makeCache: @Sendable () async throws -> any CacheStore
    private let tasks = LockedList<Task<Void, Never>>()

    init(store: any MetadataStore, clock: TestClock, settings: FleetSettings, makeCache: @escaping @Sendable () async throws -> any CacheStore) {
        self.store = store
        self.clock = clock
        self.settings = settings
        self.makeCache = makeCache
    }

    /// Another replica. Its pub/sub subscription is live when this returns.
    func replica(cache: (any CacheStore)? = nil) async throws -> NodeService {
        let resolved: any CacheStore
        if let cache { resolved = cache } else { resolved = try await makeCache() }
        let service = NodeService.assembled(
            store: store, cache: resolved, settings: settings, now: { [clock] in clock.now }, logger: Logger(label: "test.fleet"))
        let hub = service.desiredState
        tasks.append(Task { try? await hub.run() })
        try await Task.sleep(for: .milliseconds(300))  // let the subscription reach Redis
        return service
    }

    func stop() async {
        for task in tasks.values { task.cancel() }
        for task in tasks.values { await task.value }
    }

    /// A seed-shaped spec.
    static func spec(region: String = "us-east", zone: String = "us-east-1a", labels: [String: String] = [:]) -> NodeSpec {
        NodeSpec(
            region: region, zone: zone, labels: labels, runtime: .wasmtime, runtimeVersion: "15.0.0", capabilities: NodeCapabilities(),
            maxModules: 1000, hardware: NodeHardware(cpuCores: 8, totalMemoryMB: 16384, architecture: "x86_64"))
    }

    /// Creates a token and enrolls `id` with it; returns the node and its credential.
    /// Enrolls `id` into `environment` with `labels` as trusted labels (from the token) and as reported ones.
    func enroll(
        _ service: NodeService, _ id: String, region: String = "us-east", labels: [String: String] = [:], environment: String = "production"
    ) async throws -> (NodeRecord, String) {
        let (_, token) = try await service.createEnrollmentToken(
            ttlSeconds: 3600, maxUses: 1, region: nil, labels: labels, description: nil, actor: "admin", requestID: nil, environment: environment)
        return try await service.enroll(nodeID: nodeID(id), spec: Self.spec(region: region, labels: labels), enrollmentToken: token, requestID: nil)
    }
}

func nodeID(_ text: String) -> NodeID {
    guard let id = NodeID(text) else { preconditionFailure("invalid test node id \(text)") }
    return id
}

final class LockedList<Element: Sendable>: Sendable {
    private let box = NIOLockedValueBox<[Element]>([])
    func append(_ element: Element) { box.withLockedValue { $0.append(element) } }
    var values: [Element] { box.withLockedValue { $0 } }
}

/// The Redis caches of a fleet's replicas, each run as its service group would run it.
final class CacheList: Sendable {
    private let list = LockedList<RedisCache>()
    private let tasks = LockedList<Task<Void, Never>>()

    /// Runs `cache` until ``shutdown()``; returns once its threads are up.
    func run(_ cache: RedisCache) async throws {
        list.append(cache)
        tasks.append(Task { try? await cache.run() })
        for _ in 0..<1000 where !cache.isRunning { try await Task.sleep(for: .milliseconds(5)) }
        guard cache.isRunning else { throw ServiceDidNotStartError() }
    }

    func shutdown() async {
        for task in tasks.values { task.cancel() }
        for task in tasks.values { await task.value }
        for cache in list.values { try? await cache.shutdown() }
    }
}
