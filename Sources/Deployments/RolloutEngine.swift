import CoreMetrics
import EdgeFleet
import Logging
import OrchestratorDomain
import OrchestratorPorts
import ServiceLifecycle

/// Advances active rollouts in the background.
///
/// Every replica runs one; only the holder of the `rollout-engine` lease
/// (a PostgreSQL advisory lock; always the single process on SQLite)
/// evaluates. Each evaluation is one compare-and-set commit, so even a
/// replica that lost the lease mid-pass cannot apply a step twice, and a
/// restart resumes from the stored rows with nothing lost.
public final class RolloutEngine: Service, Sendable {
    static let leaseName = "rollout-engine"
    private let store: any MetadataStore
    private let loader: SnapshotLoader
    private let desiredState: DesiredStateHub
    private let reconciler: DesiredStateReconciler
    private let releases: ReleaseBinding
    /// Seconds between two derivations of the whole fleet's desired state while this replica leads.
    private let reconcileInterval: Double
    private let metrics: DeploymentMetrics
    private let events: any EventPublisher
    private let interval: Double
    private let now: @Sendable () -> Double
    private let logger: Logger
    private let isReady: @Sendable () -> Bool

    /// - Parameters:
    ///   - fleet: the node use case whose desired-state hub wakes agents and whose health monitor marks nodes offline.
    ///   - interval: seconds between passes while this replica leads.
    ///   - metrics: the server's metrics factory (rollout outcomes, durations, rollbacks, active deployments).
    ///   - reconcileInterval: seconds between two derivations of the whole fleet's desired state (``DesiredStateReconciler``).
    ///   - isReady: the engine waits until this is true (the schema is migrated).
    ///   - events: where committed transitions are published.
    public init(
        store: any MetadataStore, fleet: NodeService, interval: Double, metrics: any MetricsFactory, now: @escaping @Sendable () -> Double,
        logger: Logger, reconcileInterval: Double = 10, isReady: @escaping @Sendable () -> Bool = { true },
        events: any EventPublisher = DiscardingEventPublisher()
    ) {
        self.events = events
        self.metrics = DeploymentMetrics(factory: metrics)
        self.isReady = isReady
        self.store = store
        self.loader = SnapshotLoader(store: store, fleet: fleet)
        self.desiredState = fleet.desiredState
        self.reconciler = fleet.reconciler
        self.releases = ReleaseBinding(store: store)
        self.reconcileInterval = reconcileInterval
        self.interval = interval
        self.now = now
        self.logger = logger
    }

    /// Derives the whole fleet's desired state now (what the leader does every `reconcileInterval`); returns the nodes it changed.
    @discardableResult
    public func reconcileFleet() async throws -> [NodeID] {
        try await reconciler.reconcile()
    }

    /// One pass over every active deployment. Returns how many changes this replica committed.
    @discardableResult
    public func evaluateOnce() async throws -> Int {
        let active = try await store.activeDeployments()
        metrics.active(inProgress: active.filter { $0.state == .inProgress }.count, paused: active.filter { $0.state == .paused }.count)
        var committed = 0
        for record in active {
            do {
                if try await advance(record) { committed += 1 }
            } catch {
                logger.warning("could not advance a deployment; will retry", metadata: ["deployment": "\(record.id)", "error": "\(error)"])
            }
        }
        return committed
    }

    private func advance(_ record: DeploymentRecord) async throws -> Bool {
        var snapshot = try await loader.load(record, for: .advance, now: now())
        var decision = try DeploymentDecider.decide(.tick, snapshot).get()
        guard !decision.isUnchanged else { return false }
        if snapshot.fleet.isEmpty && SnapshotLoader.dispatches(decision, from: snapshot) {
            // Reports settled the cohort in this pass: decide again with the fleet's state.
            snapshot = try await loader.load(record, for: .advanceWithFleet, now: snapshot.now)
            decision = try DeploymentDecider.decide(.tick, snapshot).get()
            guard !decision.isUnchanged else { return false }
        }
        decision.record.revision = record.revision + 1
        decision.record.updatedAt = snapshot.now
        let audit = decision.audits.map { entry in
            AuditEvent(
                actor: entry.actor, action: entry.action, target: "deployment:\(record.id)", outcome: entry.outcome, requestID: nil,
                occurredAt: snapshot.now, role: nil, sourceAddress: nil, actors: entry.actors)
        }
        let release = try await releases.bind(&decision.record, before: record, now: snapshot.now)
        let commit = DeploymentCommit(
            expectedRevision: record.revision, record: decision.record, nodes: Array(decision.nodes.values), desired: decision.desired,
            audit: audit, revertOnly: decision.record.state == .rolledBack, release: release)
        guard try await store.commit(commit) else { return false }
        await decision.carryOut(desiredState: desiredState, metrics: metrics, events: events, before: record.state, at: snapshot.now)
        if release != nil { await reconciler.reconcileQuietly() }
        if let outcome = decision.outcome {
            logger.info("deployment \(outcome.rawValue)", metadata: ["deployment": "\(record.id)", "reason": "\(decision.record.reason ?? "")"])
        }
        return true
    }

    public func run() async throws {
        while !isReady() && !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(100)) }
        }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let led = try await store.whileLeader(Self.leaseName) { stillLeader in
                    self.logger.info("this replica leads the rollout engine")
                    var lastDerivation = ContinuousClock.now - .seconds(self.reconcileInterval)
                    while !Task.isShuttingDownGracefully && !Task.isCancelled {
                        try await stillLeader()
                        do {
                            try await self.evaluateOnce()
                        } catch {
                            self.logger.warning("rollout evaluation failed; will retry", metadata: ["error": "\(error)"])
                        }
                        if ContinuousClock.now - lastDerivation >= .seconds(self.reconcileInterval) {
                            await self.reconciler.reconcileQuietly()
                            lastDerivation = .now
                        }
                        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(self.interval)) }
                    }
                }
                if !led {
                    // Another replica leads; try again later (it may die).
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(max(2, self.interval * 4))) }
                }
            } catch {
                logger.warning("rollout engine lost its lease or the database; retrying", metadata: ["error": "\(error)"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(2)) }
            }
        }
    }
}
