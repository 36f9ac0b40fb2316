import CoreMetrics
import Metrics
import OrchestratorDomain

/// Seed 004's `wasm_deployments_failed_total` plus outcome counts, rollout
/// duration and rollbacks. Recorded by whichever replica committed the
/// transition; the compare-and-set makes that exactly one. Which metric a
/// decision bumps is the decision's (``DeploymentMetricEvent``); this only records.
struct DeploymentMetrics: Sendable {
    private let factory: any MetricsFactory
    private let failed: Counter
    private let duration: Metrics.Timer

    init(factory: any MetricsFactory) {
        self.factory = factory
        failed = Counter(label: "wasm_deployments_failed_total", factory: factory)
        duration = Metrics.Timer(label: "wasm_deployment_rollout_duration_seconds", dimensions: [], preferredDisplayUnit: .seconds, factory: factory)
    }

    func record(_ event: DeploymentMetricEvent) {
        switch event {
        case .finished(let outcome, let seconds):
            Counter(label: "wasm_deployments_total", dimensions: [("outcome", outcome)], factory: factory).increment()
            if let seconds { duration.recordNanoseconds(Int64(seconds * 1_000_000_000)) }
        case .failed:
            failed.increment()
        case .rolledBack(let trigger):
            Counter(label: "wasm_deployment_rollbacks_total", dimensions: [("trigger", trigger.rawValue)], factory: factory).increment()
        }
    }

    func active(inProgress: Int, paused: Int) {
        Gauge(label: "wasm_deployments_active", dimensions: [("state", DeploymentState.inProgress.rawValue)], factory: factory).record(inProgress)
        Gauge(label: "wasm_deployments_active", dimensions: [("state", DeploymentState.paused.rawValue)], factory: factory).record(paused)
    }
}
