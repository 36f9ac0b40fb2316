import Logging
import OrchestratorPorts
import ServiceLifecycle

/// The production cache on Redis, through hiredis.
///
/// Commands run on a private `NIOThreadPool` (see ``RedisConnectionPool``),
/// pub/sub on one dedicated thread (see ``RedisSubscriber``): no hiredis call
/// ever blocks an event loop or the cooperative pool. Every key and channel
/// is namespaced with `keyPrefix` so several deployments can share a Redis.
///
/// It is a `Service`: `run()` starts the command threads and the subscriber thread and keeps them
/// until graceful shutdown; `init` starts nothing. Before `run()` (and after shutdown) every command
/// fails with ``DependencyUnavailableError``, which callers already treat as "cache down", and
/// subscriptions are registered locally and start receiving once the subscriber runs.
public final class RedisCache: CacheStore, Service {

    public let healthName = "redis"
    private let pool: RedisConnectionPool
    private let subscriber: RedisSubscriber
    private let keyPrefix: String
    private let logger: Logger
    private let state = RunState()

    /// - Parameters:
    ///   - endpoint: where Redis listens.
    ///   - keyPrefix: prepended to every key and channel.
    ///   - poolSize: number of connections, and of threads that may block on them.
    ///   - timeout: bound on connect and on each command.
    public init(endpoint: RedisEndpoint, keyPrefix: String = "wasmorch:", poolSize: Int = 4, timeout: Duration = .seconds(2), logger: Logger) {
        self.pool = RedisConnectionPool(endpoint: endpoint, timeout: timeout, size: poolSize)
        self.subscriber = RedisSubscriber(endpoint: endpoint, prefix: keyPrefix, logger: logger)
        self.keyPrefix = keyPrefix
        self.logger = logger
    }

    /// Whether ``run()`` has started the threads and the cache has not been shut down since.
    public var isRunning: Bool { state.isRunning }

    /// Runs the threads until graceful shutdown (or cancellation), then stops them.
    /// A cache that was already shut down does not start again.
    public func run() async throws {
        state.start {
            pool.start()
            subscriber.start()
        }
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// Stops the subscriber thread and the command threads. Idempotent; after it the cache never starts.
    public func shutdown() async throws {
        state.stop()
        subscriber.stop()
        try await pool.shutdown()
    }

    public func get(_ key: String) async throws -> String? {
        switch try await command(["GET", keyPrefix + key]) {
        case .string(let value): return value
        default: return nil
        }
    }

    public func set(_ key: String, value: String, ttlSeconds: Int?) async throws {
        var arguments = ["SET", keyPrefix + key, value]
        if let ttlSeconds { arguments += ["EX", String(max(1, ttlSeconds))] }
        _ = try await command(arguments)
    }

    public func delete(_ key: String) async throws {
        _ = try await command(["DEL", keyPrefix + key])
    }

    /// `INCRBY` then, for a key this call created, `EXPIRE`, in one `EVAL` so the pair is atomic.
    public func increment(_ key: String, by delta: Int, ttlSeconds: Int?) async throws -> Int {
        let script = """
            local v = redis.call('INCRBY', KEYS[1], ARGV[1])
            if tonumber(ARGV[2]) > 0 and v == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
            return v
            """
        let reply = try await command(["EVAL", script, "1", keyPrefix + key, String(delta), String(ttlSeconds ?? 0)])
        guard case .integer(let value) = reply else {
            throw DependencyUnavailableError(dependency: healthName, reason: "unexpected INCRBY reply \(reply)")
        }
        return value
    }

    public func publish(channel: String, message: String) async throws {
        _ = try await command(["PUBLISH", keyPrefix + channel, message])
    }

    public func subscribe(channel: String) async throws -> AsyncStream<String> {
        subscriber.subscribe(channel: keyPrefix + channel)
    }

    public func ping() async throws {
        _ = try await command(["PING"])
        guard subscriber.isConnected else {
            throw DependencyUnavailableError(dependency: healthName, reason: "subscriber connection is down")
        }
    }

    /// `key` in this cache's namespace.
    func prefixed(_ key: String) -> String { keyPrefix + key }

    /// Runs a command, turning transport failures and error replies into ``DependencyUnavailableError``.
    func command(_ arguments: [String]) async throws -> RedisReply {
        let reply: RedisReply
        do {
            reply = try await pool.run(arguments)
        } catch {
            throw DependencyUnavailableError(dependency: healthName, reason: "\(error)")
        }
        if case .error(let message) = reply {
            throw DependencyUnavailableError(dependency: healthName, reason: "\(arguments[0]) failed: \(message)")
        }
        return reply
    }
}
