import CoreMetrics
import Deployments
import EdgeFleet
import Foundation
import Logging
import OrchestratorConfig
import OrchestratorPorts

/// The deployment use case and its rollout engine, over the node use case (shared desired-state hub).
///
/// Part of ``buildApplication(settings:logger:onServerRunning:)``'s wiring. The engine is a service;
/// whether it runs is `deployments.engine`, decided by the caller.
public struct DeploymentWiring: Sendable {
    public let deployments: DeploymentService
    public let engine: RolloutEngine

    /// - Parameters:
    ///   - metrics: the server's metrics factory (``ServerMetrics/factory``).
    ///   - isReady: the engine waits until this is true (the schema is migrated).
    ///   - events: where deployment transitions are published (``NotificationWiring/events``).
    public init(
        settings: OrchestratorSettings, backends: Backends, nodes: NodeService, metrics: any MetricsFactory, logger: Logger,
        isReady: @escaping @Sendable () -> Bool = { true }, events: any EventPublisher = DiscardingEventPublisher()
    ) {
        let config = settings.deployments
        let deploymentSettings = DeploymentSettings(
            environments: config.environments, evaluationIntervalSeconds: Double(config.evaluationIntervalMilliseconds) / 1000,
            defaultNodeTimeoutSeconds: config.defaultNodeTimeoutSeconds, defaultProgressDeadlineSeconds: config.defaultProgressDeadlineSeconds)
        let now: @Sendable () -> Double = { Date().timeIntervalSince1970 }
        engine = RolloutEngine(
            store: backends.metadata, fleet: nodes, interval: deploymentSettings.evaluationIntervalSeconds, metrics: metrics, now: now,
            logger: logger,
            isReady: isReady, events: events)
        deployments = DeploymentService(
            store: backends.metadata, fleet: nodes, engine: engine, settings: deploymentSettings, metrics: metrics, now: now, logger: logger,
            events: events)
    }
}
