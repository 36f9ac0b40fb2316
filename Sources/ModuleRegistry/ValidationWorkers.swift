import NIOPosix

/// The threads uploads are validated on: one per permitted concurrent
/// validation, owned by the registry and stopped when the last copy of it
/// goes away. Validation is synchronous CPU work that may run for up to
/// its deadline, so it gets threads of its own instead of the cooperative
/// pool or `NIOThreadPool.singleton`.
final class ValidationWorkers: Sendable {
    let pool: NIOThreadPool

    init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: max(1, threads))
        pool.start()
    }

    deinit {
        pool.shutdownGracefully { _ in }
    }
}
