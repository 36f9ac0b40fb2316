import Synchronization

/// The start-once, stop-for-good state of a `Service` that owns threads (the Redis cache's,
/// the registry's validation workers): threads start in `run()`, never in `init`, and a
/// stopped service never starts again (a stopped `NIOThreadPool` cannot).
public final class RunState: Sendable {
    private enum Phase { case idle, running, stopped }
    private let phase = Mutex(Phase.idle)

    public init() {}

    /// Between ``start(_:)`` and ``stop()``.
    public var isRunning: Bool { phase.withLock { $0 == .running } }

    /// Runs `start` once, if never started nor stopped. It runs under the lock, so a concurrent
    /// ``stop()`` cannot come between the check and the start.
    public func start(_ start: () -> Void) {
        phase.withLock { phase in
            guard phase == .idle else { return }
            phase = .running
            start()
        }
    }

    /// From now on the service is stopped and never starts.
    public func stop() {
        phase.withLock { $0 = .stopped }
    }
}
