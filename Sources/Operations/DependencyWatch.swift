import Logging
import NIOConcurrencyHelpers
import OrchestratorDomain
import OrchestratorPorts
import ServiceLifecycle

/// Pings every dependency in the background, so `/health` reports their states without waiting on any:
/// a liveness probe must answer promptly even when PostgreSQL, Redis or S3 hangs.
///
/// - Each dependency is pinged every `interval`, at most one ping per dependency at a time.
/// - A dependency is `Healthy` once its latest ping succeeded. One never answered yet, one whose
///   latest ping failed, and one whose ping has been running for longer than `timeout` (a client
///   that cannot be interrupted, such as hiredis, holds its ping past the deadline) are `Unhealthy`.
/// - The metadata store counts as down until its schema is migrated, read live from the gate.
public final class DependencyWatch: Service, Sendable {
    private struct State {
        var status: DependencyStatus?
        var pingingSince: ContinuousClock.Instant?
    }

    private let probes: [DependencyProbe]
    private let isSchemaReady: @Sendable () -> Bool
    private let interval: Duration
    private let timeout: Duration
    private let logger: Logger
    private let states = NIOLockedValueBox<[String: State]>([:])

    /// - Parameters:
    ///   - interval: time between two pings of a dependency; what `/health` shows is at most this old (plus `timeout`).
    ///   - timeout: bound of one ping; under the 2 s liveness probe timeout of deploy/kubernetes.
    public init(
        probes: [DependencyProbe], isSchemaReady: @escaping @Sendable () -> Bool, interval: Duration = .seconds(5),
        timeout: Duration = .seconds(1), logger: Logger
    ) {
        self.probes = probes
        self.isSchemaReady = isSchemaReady
        self.interval = interval
        self.timeout = timeout
        self.logger = logger
    }

    /// One check per dependency, in probe order, from memory.
    public func current() -> [DependencyCheck] {
        let now = ContinuousClock.now
        let states = states.withLockedValue { $0 }
        let schemaReady = isSchemaReady()
        return probes.map { probe in
            let state = states[probe.name] ?? State()
            let hanging = state.pingingSince.map { now - $0 > timeout } ?? false
            let healthy = state.status == .healthy && !hanging && (schemaReady || !probe.needsSchema)
            return DependencyCheck(name: probe.name, isRequired: probe.isRequired, status: healthy ? .healthy : .unhealthy)
        }
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                for probe in probes where begin(probe.name) {
                    group.addTask { await self.ping(probe) }
                }
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            }
            group.cancelAll()
        }
    }

    /// Marks a ping of `name` as started; `false` while the previous one still runs.
    private func begin(_ name: String) -> Bool {
        states.withLockedValue { states in
            guard states[name]?.pingingSince == nil else { return false }
            states[name, default: State()].pingingSince = .now
            return true
        }
    }

    /// Pings and records the outcome; logs only changes, so a dependency down for hours logs once.
    private func ping(_ probe: DependencyProbe) async {
        var reason: (any Error)?
        do {
            try await withDeadline(timeout) { try await probe.ping() }
        } catch {
            reason = error
        }
        let status: DependencyStatus = reason == nil ? .healthy : .unhealthy
        let previous = states.withLockedValue { states in
            defer { states[probe.name] = State(status: status, pingingSince: nil) }
            return states[probe.name]?.status
        }
        guard previous != status, !Task.isCancelled else { return }
        if let reason {
            logger.warning("dependency unhealthy", metadata: ["dependency": "\(probe.name)", "reason": "\(reason)"])
        } else if previous != nil {
            logger.info("dependency healthy again", metadata: ["dependency": "\(probe.name)"])
        }
    }
}
