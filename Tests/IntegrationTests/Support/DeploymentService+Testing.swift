import Deployments
import EdgeFleet
import Logging
import OrchestratorApp
import OrchestratorPorts

extension DeploymentService {
    /// The deployment use case with its own rollout engine (not run: tests call `engine.evaluateOnce()`),
    /// built as `DeploymentWiring` builds them in production.
    static func assembled(
        store: any MetadataStore, fleet: NodeService, settings: DeploymentSettings, now: @escaping @Sendable () -> Double, logger: Logger
    ) -> DeploymentService {
        let metrics = ServerMetrics().factory
        let engine = RolloutEngine(
            store: store, fleet: fleet, interval: settings.evaluationIntervalSeconds, metrics: metrics, now: now, logger: logger)
        return DeploymentService(store: store, fleet: fleet, engine: engine, settings: settings, metrics: metrics, now: now, logger: logger)
    }
}
