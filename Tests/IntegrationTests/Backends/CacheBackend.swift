import InProcessCache
import Logging
import OrchestratorPorts
import RedisCache
import Testing

/// The cache implementations the contract suite runs against.
enum CacheBackend: String, CaseIterable, CustomTestStringConvertible {
    case inProcess
    case redis

    var testDescription: String { rawValue }

    static var available: [CacheBackend] {
        TestServices.hasRedis ? [.inProcess, .redis] : [.inProcess]
    }

    /// Runs `body` with a cache whose keys cannot collide with other tests.
    func withCache<T: Sendable>(_ body: @Sendable (any CacheStore) async throws -> T) async throws -> T {
        switch self {
        case .inProcess:
            return try await body(InProcessCache())
        case .redis:
            let endpoint = try RedisEndpoint(url: try TestServices.require("TEST_REDIS_URL"))
            let cache = RedisCache(endpoint: endpoint, keyPrefix: uniqueName("t") + ":", logger: Logger(label: "test.redis"))
            return try await withRunning([cache]) { try await body(cache) }
        }
    }
}
