import CoreMetrics
import EdgeFleet
import Foundation
import Logging
import OrchestratorConfig
import OrchestratorDomain
import OrchestratorPorts
import ServiceLifecycle

/// The node use case and the background services it works with, built from settings.
///
/// Part of ``buildApplication(settings:logger:onServerRunning:)``'s wiring (also used by tests that
/// need a second replica): ``NodeService`` receives every collaborator, and ``services`` lists the
/// long-lived ones for the service group.
public struct FleetWiring: Sendable {
    public let nodes: NodeService
    /// In start order: the heartbeat ingest, the health monitor that reads it, the desired-state hub, the status ingest.
    public let services: [any Service]

    /// - Parameter metrics: the server's metrics factory (``ServerMetrics/factory``).
    /// - Parameter events: where node transitions are published (``NotificationWiring/events``).
    /// - Parameter isReady: whether the schema is migrated (the server's ``SchemaGate``); the health loop waits for it.
    public init(
        settings: OrchestratorSettings, backends: Backends, metrics: any MetricsFactory, logger: Logger,
        events: any EventPublisher = DiscardingEventPublisher(), isReady: @escaping @Sendable () -> Bool = { true }
    ) {
        let node = settings.nodes
        var fleet = FleetSettings(
            admission: node.admission,
            health: HealthPolicy(
                heartbeatIntervalSeconds: Double(node.heartbeatIntervalSeconds), offlineAfterSeconds: Double(node.offlineAfterSeconds)),
            heartbeatFlushSeconds: Double(node.heartbeatFlushSeconds), healthEvaluationSeconds: Double(node.healthEvaluationSeconds),
            pollIntervalSeconds: Double(node.pollIntervalSeconds), maxWaitSeconds: Double(node.maxWaitSeconds),
            credentialCacheSeconds: Double(node.credentialCacheSeconds), environments: Set(settings.deployments.environments.keys))
        fleet.drift = DriftPolicy(afterSeconds: Double(node.driftAfterSeconds))
        let now: @Sendable () -> Double = { Date().timeIntervalSince1970 }
        let store = backends.metadata
        let heartbeats = HeartbeatIngest(store: store, cache: backends.cache, settings: fleet, logger: logger)
        let health = HealthMonitor(
            store: store, heartbeats: heartbeats, settings: fleet, metrics: metrics, now: now, logger: logger, events: events,
            isReady: isReady)
        let desiredState = DesiredStateHub(store: store, cache: backends.cache, now: now, logger: logger)
        let statuses = StatusIngest(store: store, logger: logger)
        nodes = NodeService(
            store: store, settings: fleet, credentials: CredentialResolver(store: store, ttlSeconds: fleet.credentialCacheSeconds, now: now),
            heartbeats: heartbeats, health: health, desiredState: desiredState, statuses: statuses,
            reconciler: DesiredStateReconciler(store: store, desiredState: desiredState, logger: logger), now: now, logger: logger,
            events: events)
        services = [heartbeats, health, desiredState, statuses]
    }
}
