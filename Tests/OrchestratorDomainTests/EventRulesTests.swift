import OrchestratorDomain
import Testing

@Suite("Which transition yields which event")
struct EventRulesTests {
    typealias S = DeploymentState

    @Test(
        "deployment state changes",
        arguments: [
            (S?.none, S.pendingApproval, [DeploymentEventKind.created, .approvalRequested]),
            (nil, .approved, [.created]),
            (.pendingApproval, .approved, [.approved]),
            (.pendingApproval, .rejected, [.rejected]),
            (.approved, .rejected, [.rejected]),
            (.approved, .inProgress, [.started]),
            (.pendingApproval, .inProgress, [.started]),
            (.inProgress, .paused, [.paused]),
            (.paused, .inProgress, [.resumed]),
            (.inProgress, .failed, [.failed]),
            (.inProgress, .completed, [.completed]),
            (.paused, .cancelled, [.cancelled]),
            (.completed, .rolledBack, [.rolledBack]),
        ])
    func stateChanges(before: S?, after: S, expected: [DeploymentEventKind]) {
        #expect(DeploymentEventRules.kinds(from: before, to: after, nodesChanged: true) == expected)
        #expect(DeploymentEventRules.kinds(from: before, to: after, nodesChanged: false) == expected)
    }

    @Test("an automatic rollback is a failure, then a rollback; a manual one only a rollback")
    func rollbacks() {
        let automatic = DeploymentEventRules.kinds(from: .inProgress, to: .rolledBack, nodesChanged: true, outcome: .automaticRollback)
        #expect(automatic == [.failed, .rolledBack])
        #expect(DeploymentEventRules.kinds(from: .inProgress, to: .rolledBack, nodesChanged: true, outcome: .manualRollback) == [.rolledBack])
    }

    @Test("the same state is 'progressed' only when node rows changed, and only while the rollout runs or after it completed")
    func progressed() {
        #expect(DeploymentEventRules.kinds(from: .inProgress, to: .inProgress, nodesChanged: true) == [.progressed])
        #expect(DeploymentEventRules.kinds(from: .paused, to: .paused, nodesChanged: true) == [.progressed])
        #expect(DeploymentEventRules.kinds(from: .completed, to: .completed, nodesChanged: true) == [.progressed])
        #expect(DeploymentEventRules.kinds(from: .inProgress, to: .inProgress, nodesChanged: false).isEmpty)
        #expect(DeploymentEventRules.kinds(from: .pendingApproval, to: .pendingApproval, nodesChanged: false).isEmpty)
    }

    @Test("events carry the deployment and both statuses")
    func eventData() {
        let record = EventEnvelopeTests.record(state: .paused)
        let events = DeploymentEventRules.events(from: .inProgress, to: record, nodesChanged: false, at: 42)
        #expect(events.map(\.type) == [.deployment(.paused)])
        #expect(events.first?.time == 42)
        #expect(events.first?.subject == record.id)
        #expect(events.first?.environment == "production")
        guard case .deployment(let data)? = events.first?.data else {
            Issue.record("not a deployment event")
            return
        }
        #expect(data.status == .paused && data.previousStatus == .inProgress && data.module == "hello" && data.version == "1.2.0")
    }

    @Test("health changes: health-changed, and offline after it when the node went Offline")
    func health() {
        let offline = NodeEventRules.healthChanged(node: "n1", environment: "production", from: .healthy, to: .offline, at: 1)
        #expect(offline.map(\.type) == [.node(.healthChanged), .node(.offline)])
        let degraded = NodeEventRules.healthChanged(node: "n1", environment: "production", from: .offline, to: .degraded, at: 1)
        #expect(degraded.map(\.type) == [.node(.healthChanged)])
        #expect(NodeEventRules.healthChanged(node: "n1", environment: "production", from: .healthy, to: .healthy, at: 1).isEmpty)
        guard case .node(let data)? = offline.first?.data else {
            Issue.record("not a node event")
            return
        }
        #expect(data.health == .offline && data.previousHealth == .healthy && data.nodeID == "n1")
    }

    @Test("enablement: enabled or disabled, nothing when unchanged")
    func enablement() {
        #expect(
            NodeEventRules.enablement(node: "n", environment: "e", health: .healthy, wasEnabled: true, isEnabled: false, at: 0).map(\.type)
                == [.node(.disabled)])
        #expect(
            NodeEventRules.enablement(node: "n", environment: "e", health: .healthy, wasEnabled: false, isEnabled: true, at: 0).map(\.type)
                == [.node(.enabled)])
        #expect(NodeEventRules.enablement(node: "n", environment: "e", health: .healthy, wasEnabled: true, isEnabled: true, at: 0).isEmpty)
    }
}
