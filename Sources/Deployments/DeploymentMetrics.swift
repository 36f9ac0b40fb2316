import CoreMetrics
import EdgeFleet
import Metrics
import OrchestratorDomain

/// Seed 004's `wasm_deployments_failed_total` plus outcome counts, rollout
/// duration and rollbacks. Recorded by whichever replica committed the
/// transition; the compare-and-set makes that exactly one.
struct DeploymentMetrics: Sendable {
    private let failed = Counter(label: "wasm_deployments_failed_total")
    private let duration = Metrics.Timer(label: "wasm_deployment_rollout_duration_seconds", preferredDisplayUnit: .seconds)

    func record(_ outcome: RolloutChange.Outcome?, _ record: DeploymentRecord) {
        guard let outcome else { return }
        switch outcome {
        case .completed: finished("completed", record)
        case .failed:
            finished("failed", record)
            failed.increment()
        case .automaticRollback:
            finished("rolled_back", record)
            failed.increment()
            Counter(label: "wasm_deployment_rollbacks_total", dimensions: [("trigger", "automatic")]).increment()
        case .manualRollback:
            finished("rolled_back", record)
            Counter(label: "wasm_deployment_rollbacks_total", dimensions: [("trigger", "manual")]).increment()
        case .cancelled: finished("cancelled", record)
        case .paused: break
        }
    }

    /// After any committed change: wake the affected agents on every replica, then count the outcome.
    func published(_ change: RolloutChange, desiredState: DesiredStateHub) async {
        if !change.desired.isEmpty { await desiredState.notifyChanged(Array(change.desired.keys)) }
        record(change.outcome, change.record)
        if change.record.state == .rejected { rejected() }
    }

    func rejected() {
        Counter(label: "wasm_deployments_total", dimensions: [("outcome", "rejected")]).increment()
    }

    func active(inProgress: Int, paused: Int) {
        Gauge(label: "wasm_deployments_active", dimensions: [("state", DeploymentState.inProgress.rawValue)]).record(inProgress)
        Gauge(label: "wasm_deployments_active", dimensions: [("state", DeploymentState.paused.rawValue)]).record(paused)
    }

    private func finished(_ outcome: String, _ record: DeploymentRecord) {
        Counter(label: "wasm_deployments_total", dimensions: [("outcome", outcome)]).increment()
        if let started = record.startedAt, let finished = record.finishedAt, finished >= started {
            duration.recordNanoseconds(Int64((finished - started) * 1_000_000_000))
        }
    }
}
