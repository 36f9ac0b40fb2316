import ModuleRegistry
import RedisCache
import ServiceLifecycle

/// A service whose threads start in `run()`, and that says when they have.
protocol StartReporting: Service {
    var isRunning: Bool { get }
}

extension RedisCache: StartReporting {}
extension ValidationWorkers: StartReporting {}

struct ServiceDidNotStartError: Error {}

/// Runs `services` as the application's service group would, for the duration of `body`:
/// each is running (its threads up) before `body` starts, and is cancelled (so stopped) after it.
func withRunning<T: Sendable>(_ services: [any StartReporting], _ body: @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
        for service in services {
            group.addTask { try await service.run() }
        }
        defer { group.cancelAll() }
        for service in services {
            var waited = 0
            while !service.isRunning {
                guard waited < 1000 else { throw ServiceDidNotStartError() }
                try await Task.sleep(for: .milliseconds(5))
                waited += 1
            }
        }
        return try await body()
    }
}
