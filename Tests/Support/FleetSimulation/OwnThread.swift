import Foundation

/// Runs blocking work (waiting for a child process) on a thread of its own.
///
/// Swift concurrency's cooperative pool has one thread per core: on a 2-core
/// CI machine two tests blocked in `waitUntilExit` would stall every other
/// test's timers and make timing-based assertions fail spuriously.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Swift.Result { try work() }) }.start()
    }
}
