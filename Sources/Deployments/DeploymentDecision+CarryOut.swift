import EdgeFleet
import OrchestratorDomain

extension DeploymentDecision {
    /// The effects that follow a committed decision: wake the affected agents on every
    /// replica, then record the metrics. (Desired state, audit and timeline were in the commit.)
    func carryOut(desiredState: DesiredStateHub, metrics: DeploymentMetrics) async {
        let nodes = wakeUps
        if !nodes.isEmpty { await desiredState.notifyChanged(nodes) }
        for event in self.metrics { metrics.record(event) }
    }
}
