import Foundation
import Metrics
import Prometheus

/// The process-wide Prometheus registry behind swift-metrics.
///
/// `MetricsSystem.bootstrap` may run once per process, so it happens on
/// first access of ``registry`` — the server and every test share it.
public enum MetricsBootstrap {
    public static let registry: PrometheusCollectorRegistry = {
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
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}
