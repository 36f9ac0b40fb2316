import Foundation
import NIOConcurrencyHelpers

/// The wall-clock deadline and cancellation of one entrypoint run, shared by
/// the agent (which may give up on the run) and the module's own thread
/// (which checks it wherever the module waits: see ``DeadlinePoll``).
public final class RunControl: @unchecked Sendable {
    /// When the run must have finished (monotonic).
    public let deadline: DispatchTime
    private let condition = NSCondition()
    private var stopped = false

    public init(seconds: Double) {
        let nanoseconds = AgentSeconds.clamp(seconds, 0...86_400, fallback: 30) * 1e9
        deadline = DispatchTime.now() + .nanoseconds(Int(nanoseconds))
    }

    /// Wakes a waiting module and makes its next wait fail.
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Whether the run must end now (stopped, or its deadline passed).
    public var mustEnd: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped || DispatchTime.now() >= deadline
    }

    /// Sleeps `nanoseconds`, but never past the deadline and not after ``stop()``.
    /// `true` when the whole sleep elapsed, `false` when the run must end.
    func sleep(nanoseconds: UInt64) -> Bool {
        let now = DispatchTime.now()
        let wanted = now.uptimeNanoseconds.addingReportingOverflow(nanoseconds)
        let wakeAt = wanted.overflow ? UInt64.max : wanted.partialValue
        condition.lock()
        defer { condition.unlock() }
        while !stopped {
            let current = DispatchTime.now().uptimeNanoseconds
            if current >= deadline.uptimeNanoseconds { return false }
            if current >= wakeAt { return true }
            let until = min(wakeAt, deadline.uptimeNanoseconds)
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(until - current) / 1e9))
        }
        return false
    }
}

/// A value delivered once, awaited once: the first of "the module's thread
/// finished", "the deadline passed" and "the task was cancelled" wins.
final class OneShot<Value: Sendable>: @unchecked Sendable {
    private let lock = NIOLock()
    private var value: Value?
    private var continuation: CheckedContinuation<Value, Never>?

    func fire(_ newValue: Value) {
        let pending: CheckedContinuation<Value, Never>? = lock.withLock {
            guard value == nil else { return nil }
            value = newValue
            defer { continuation = nil }
            return continuation
        }
        pending?.resume(returning: newValue)
    }

    func wait() async -> Value {
        await withCheckedContinuation { (waiting: CheckedContinuation<Value, Never>) in
            let ready: Value? = lock.withLock {
                if let value { return value }
                continuation = waiting
                return nil
            }
            if let ready { waiting.resume(returning: ready) }
        }
    }
}
