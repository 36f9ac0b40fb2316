/// Raised by ``withDeadline(_:operation:)`` when the operation did not finish in time.
public struct DeadlineExceededError: Error, Sendable {
    public init() {}
}

/// Runs `operation`, cancelling it and throwing ``DeadlineExceededError``
/// when it takes longer than `duration`.
///
/// Adapters wrap calls to remote services in this so an unreachable
/// dependency produces a prompt 503 instead of a hung request.
public func withDeadline<T: Sendable>(
    _ duration: Duration,
    operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: duration)
            throw DeadlineExceededError()
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw DeadlineExceededError() }
        return first
    }
}
