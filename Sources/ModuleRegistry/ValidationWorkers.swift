import NIOPosix
import OrchestratorPorts
import ServiceLifecycle

/// The threads uploads are validated on: one per permitted concurrent validation.
/// Validation is synchronous CPU work that may run for up to its deadline, so it gets
/// threads of its own instead of the cooperative pool or `NIOThreadPool.singleton`.
///
/// A `Service`: the threads start in `run()` and stop at graceful shutdown, never in `init`.
/// A validation asked for before `run()` or after shutdown fails with ``DependencyUnavailableError``
/// (503), never waits.
public final class ValidationWorkers: Service, Sendable {
    private let pool: NIOThreadPool
    private let state = RunState()

    /// - Parameter threads: how many validations may run at once (at least one).
    public init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: max(1, threads))
    }

    /// Whether ``run()`` has started the threads and not yet stopped them.
    public var isRunning: Bool { state.isRunning }

    public func run() async throws {
        state.start { pool.start() }
        try? await gracefulShutdown()
        state.stop()
        try await pool.shutdownGracefully()
    }

    /// Runs `work` on a worker thread.
    func perform<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        do {
            return try await pool.runIfActive(work)
        } catch is NIOThreadPoolError.ThreadPoolInactive {
            throw DependencyUnavailableError(dependency: "validation-workers", reason: "the validation workers are not running")
        }
    }
}
