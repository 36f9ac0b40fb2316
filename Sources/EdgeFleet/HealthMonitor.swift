import CoreMetrics
import Logging
import Metrics
import OrchestratorDomain
import OrchestratorPorts
import ServiceLifecycle

/// Re-evaluates every node's health on a timer, records transitions
/// (compare-and-set, so with several replicas each transition is recorded
/// once) and publishes seed 004's gauges `wasm_edge_nodes_total` and
/// `wasm_edge_nodes_healthy`. Both count admitted (accepted) nodes only, so
/// pending registrations do not trip a "less than 90 % healthy" alert; every
/// replica exports the same fleet-wide values (aggregate with `max`).
public final class HealthMonitor: Service, Sendable {
    private let store: any NodeStore
    private let heartbeats: HeartbeatIngest
    private let policy: HealthPolicy
    private let interval: Double
    private let now: @Sendable () -> Double
    private let logger: Logger
    private let total: Gauge
    private let healthy: Gauge

    /// - Parameter metrics: the server's metrics factory, for the two gauges.
    public init(
        store: any NodeStore, heartbeats: HeartbeatIngest, settings: FleetSettings, metrics: any MetricsFactory,
        now: @escaping @Sendable () -> Double,
        logger: Logger
    ) {
        self.total = Gauge(label: "wasm_edge_nodes_total", factory: metrics)
        self.healthy = Gauge(label: "wasm_edge_nodes_healthy", factory: metrics)
        self.store = store
        self.heartbeats = heartbeats
        self.policy = settings.health
        self.interval = settings.healthEvaluationSeconds
        self.now = now
        self.logger = logger
    }

    /// The health of `node` right now, from the newest heartbeat anywhere.
    public func currentHealth(of node: NodeRecord) async -> (NodeHealth, at: Double?, heartbeat: Heartbeat?) {
        let latest = await heartbeats.latest(node)
        let health = policy.evaluate(lastHeartbeatAt: latest?.at, conditions: latest?.heartbeat.conditions ?? [], now: now())
        return (health, latest?.at, latest?.heartbeat)
    }

    /// One pass over the fleet, reading every node's presence in one batched cache call.
    /// Returns the transitions this replica recorded.
    @discardableResult
    public func evaluateOnce() async throws -> [HealthTransition] {
        let nodes = try await store.allNodes()
        let latest = await heartbeats.latest(nodes)  // one cache round trip per pass, not one per node
        var recorded: [HealthTransition] = []
        var healthyCount = 0
        for node in nodes {
            let heartbeat = latest[node.id]
            let health = policy.evaluate(lastHeartbeatAt: heartbeat?.at, conditions: heartbeat?.heartbeat.conditions ?? [], now: now())
            if health == .healthy && node.admission == .accepted { healthyCount += 1 }
            guard health != node.recordedHealth else { continue }
            let transition = HealthTransition(nodeID: node.id, from: node.recordedHealth, to: health, at: now())
            if try await store.recordHealthTransition(transition) {
                recorded.append(transition)
                logger.info(
                    "node health changed",
                    metadata: [
                        "node": "\(node.id)", "from": "\(transition.from.rawValue)", "to": "\(transition.to.rawValue)",
                    ])
            }
        }
        total.record(nodes.filter { $0.admission == .accepted }.count)
        healthy.record(healthyCount)
        return recorded
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await evaluateOnce()
            } catch {
                logger.warning("health evaluation failed; will retry", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(self.interval)) }
        }
    }
}
