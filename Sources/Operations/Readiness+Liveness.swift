import Logging
import OrchestratorDomain

extension Readiness {
    /// How old a check `/health` may show: liveness probes as often as they like cost at most
    /// one check per this period (Kubernetes probes every 10 s, readiness every 5 s).
    public static let livenessMaxAge: Duration = .seconds(5)
    /// Bound of each dependency ping a liveness answer makes itself: under the 2 s probe timeout
    /// of deploy/kubernetes, so a dependency that hangs never fails the liveness probe.
    public static let livenessTimeout: Duration = .seconds(1)

    /// The dependency states `/health` reports: the latest check (a readiness check counts) when
    /// under ``livenessMaxAge`` old, else a new one with ``livenessTimeout`` per dependency. While one
    /// caller refreshes, the others get the previous result without waiting.
    public func recentChecks(logger: Logger) async -> [DependencyCheck] {
        await recent.checks(maxAge: Self.livenessMaxAge, schemaReady: isSchemaReady()) {
            await probe(timeout: Self.livenessTimeout, logger: logger)
        }
    }
}
