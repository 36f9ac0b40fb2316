import EdgeFleet
import Logging
import OrchestratorApp
import OrchestratorPorts

extension NodeService {
    /// The node use case with its collaborators built as `FleetWiring` builds them in production,
    /// for tests that have a store and a cache but no settings. Nothing is run: tests drive the
    /// ingests and the monitor by hand, or run the ones they need.
    static func assembled(
        store: any MetadataStore, cache: any CacheStore, settings: FleetSettings, now: @escaping @Sendable () -> Double, logger: Logger
    ) -> NodeService {
        let heartbeats = HeartbeatIngest(store: store, cache: cache, settings: settings, logger: logger)
        let hub = DesiredStateHub(store: store, cache: cache, now: now, logger: logger)
        return NodeService(
            store: store, settings: settings, credentials: CredentialResolver(store: store, ttlSeconds: settings.credentialCacheSeconds, now: now),
            heartbeats: heartbeats,
            health: HealthMonitor(
                store: store, heartbeats: heartbeats, settings: settings, metrics: ServerMetrics().factory, now: now, logger: logger),
            desiredState: hub, statuses: StatusIngest(store: store, logger: logger),
            reconciler: DesiredStateReconciler(store: store, desiredState: hub, logger: logger), now: now, logger: logger)
    }
}
