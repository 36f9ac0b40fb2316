import CoreMetrics
import Logging
import Metrics
import NIOConcurrencyHelpers
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
    private let drifted: Gauge
    private let drift: DriftPolicy
    private let events: any EventPublisher
    /// Whether the schema is migrated: until then a pass would only fail on missing tables, every interval.
    private let isReady: @Sendable () -> Bool
    /// Per node: since when its observed state has differed from its desired state (this replica's view).
    private let driftSince = NIOLockedValueBox<[NodeID: Double]>([:])

    /// - Parameter metrics: the server's metrics factory, for the two gauges.
    /// - Parameter events: where recorded health changes are published (only by the replica that recorded them).
    /// - Parameter isReady: whether the schema is migrated; passes wait for it (the server's schema gate).
    public init(
        store: any NodeStore, heartbeats: HeartbeatIngest, settings: FleetSettings, metrics: any MetricsFactory,
        now: @escaping @Sendable () -> Double,
        logger: Logger, events: any EventPublisher = DiscardingEventPublisher(), isReady: @escaping @Sendable () -> Bool = { true }
    ) {
        self.events = events
        self.isReady = isReady
        self.total = Gauge(label: "wasm_edge_nodes_total", factory: metrics)
        self.healthy = Gauge(label: "wasm_edge_nodes_healthy", factory: metrics)
        self.drifted = Gauge(label: "wasm_nodes_drifted", factory: metrics)
        self.drift = settings.drift
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
                events.publish(
                    NodeEventRules.healthChanged(
                        node: node.id.value, environment: node.environment, from: transition.from, to: transition.to, at: transition.at))
                logger.info(
                    "node health changed",
                    metadata: [
                        "node": "\(node.id)", "from": "\(transition.from.rawValue)", "to": "\(transition.to.rawValue)",
                    ])
            }
        }
        total.record(nodes.filter { $0.admission == .accepted }.count)
        healthy.record(healthyCount)
        try await trackDrift(nodes, latest: latest)
        return recorded
    }

    /// Since when `node`'s observed state has differed from its desired state, as this replica's passes saw it; `nil` when in sync.
    public func driftStarted(_ node: NodeID) -> Double? {
        driftSince.withLockedValue { $0[node] }
    }

    /// Whether `node` has been drifted for longer than the policy allows.
    public func isDrifted(_ node: NodeID) -> Bool {
        drift.isDrifted(since: driftStarted(node), now: now())
    }

    /// Compares each online, schedulable node's latest inventory with its desired modules (one batched read),
    /// keeps when each difference started and publishes `wasm_nodes_drifted`. Offline nodes are not judged:
    /// their inventory is as old as their last heartbeat.
    private func trackDrift(_ nodes: [NodeRecord], latest: [NodeID: (at: Double, heartbeat: Heartbeat)]) async throws {
        let time = now()
        let judged = nodes.filter { node in
            guard node.isSchedulable, let heartbeat = latest[node.id] else { return false }
            return policy.evaluate(lastHeartbeatAt: heartbeat.at, conditions: [], now: time) != .offline
        }
        let desired = judged.isEmpty ? [:] : try await store.desiredModules(of: judged.map(\.id))
        var differing: Set<NodeID> = []
        for node in judged {
            let inventory = latest[node.id]?.heartbeat.inventory ?? []
            if !ModuleDrift.differences(desired: desired[node.id] ?? [], observed: inventory).isEmpty { differing.insert(node.id) }
        }
        let count = driftSince.withLockedValue { since -> Int in
            since = since.filter { differing.contains($0.key) }
            for node in differing where since[node] == nil { since[node] = time }
            return since.values.filter { drift.isDrifted(since: $0, now: time) }.count
        }
        drifted.record(count)
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if isReady() { try await evaluateOnce() }
            } catch {
                logger.warning("health evaluation failed; will retry", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(self.interval)) }
        }
    }
}
