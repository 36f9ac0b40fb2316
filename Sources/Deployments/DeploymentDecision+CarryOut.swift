import EdgeFleet
import OrchestratorDomain
import OrchestratorPorts

extension DeploymentDecision {
    /// The effects that follow a committed decision: wake the affected agents on every
    /// replica, record the metrics, then publish the transition's events (``DeploymentEventRules``).
    /// (Desired state, audit and timeline were in the commit.)
    /// - Parameter before: the deployment's state before the commit.
    func carryOut(
        desiredState: DesiredStateHub, metrics: DeploymentMetrics, events: any EventPublisher, before: DeploymentState, at time: Double
    ) async {
        let nodes = wakeUps
        if !nodes.isEmpty { await desiredState.notifyChanged(nodes) }
        for event in self.metrics { metrics.record(event) }
        events.publish(DeploymentEventRules.events(from: before, to: record, nodesChanged: !self.nodes.isEmpty, outcome: outcome, at: time))
    }
}
