import CoreMetrics
import Foundation
import Prometheus

/// One server's Prometheus registry and the swift-metrics factory that feeds it.
///
/// Every component that records a metric receives ``factory`` from the wiring, and `/metrics` renders
/// ``registry``: the counts belong to the server instance, not to the process. In production there is one
/// server per process, so this changes nothing; in the test process dozens of servers run side by side and
/// each one's `/metrics` shows only what it did (a process-wide registry made exact-count assertions racy).
/// Nothing calls `MetricsSystem.bootstrap`: no dependency we use emits metrics of its own.
public struct ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: any MetricsFactory

    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        // Module sizes: 1 KiB … 64 MiB in powers of four.
        factory.valueHistogramBuckets["wasm_module_upload_bytes"] = (0...8).map { 1024 * pow(4, Double($0)) }
        // Uploads of up to 50 MiB take longer than API calls.
        factory.durationHistogramBuckets["wasm_module_upload_duration_seconds"] = [
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        // Rollouts take seconds to hours.
        factory.durationHistogramBuckets["wasm_deployment_rollout_duration_seconds"] = [
            .seconds(1), .seconds(5), .seconds(15), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
            .seconds(1800), .seconds(3600), .seconds(7200), .seconds(21600),
        ]
        self.registry = registry
        self.factory = factory
    }

    /// The Prometheus text exposition of everything recorded so far.
    public func render() -> String { registry.emitToString() }
}
