import NIOConcurrencyHelpers
import NIOPosix

/// Hands out blocking hiredis connections and runs commands on a private `NIOThreadPool`.
///
/// The pool's threads are the only ones that ever block in hiredis for
/// commands; the cooperative pool only awaits their results. Broken
/// connections are dropped and replaced lazily on the next call.
final class RedisConnectionPool: Sendable {
    private let endpoint: RedisEndpoint
    private let timeout: Duration
    private let threadPool: NIOThreadPool
    private let idle = NIOLockedValueBox<[RedisConnection]>([])
    private let capacity: Int

    init(endpoint: RedisEndpoint, timeout: Duration, size: Int) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.capacity = size
        self.threadPool = NIOThreadPool(numberOfThreads: size)
    }

    /// Starts the command threads. Until then (and after ``shutdown()``) every command fails
    /// at once with `NIOThreadPoolError.ThreadPoolInactive`. Called once, by ``RedisCache/run()``.
    func start() {
        threadPool.start()
    }

    /// Runs one command on a pool thread.
    func run(_ arguments: [String]) async throws -> RedisReply {
        try await threadPool.runIfActive { [self] in
            let connection = try checkOut()
            // On a transport failure this throws and the connection is dropped (freed by deinit).
            let reply = try connection.command(arguments)
            checkIn(connection)
            return reply
        }
    }

    func shutdown() async throws {
        try await threadPool.shutdownGracefully()
        idle.withLockedValue { $0.removeAll() }
    }

    private func checkOut() throws -> RedisConnection {
        if let connection = idle.withLockedValue({ $0.popLast() }) {
            return connection
        }
        return try RedisConnection(endpoint: endpoint, timeout: timeout)
    }

    private func checkIn(_ connection: RedisConnection) {
        idle.withLockedValue { connections in
            if connections.count < capacity { connections.append(connection) }
        }
    }
}
