import Deployments
import EdgeFleet
import OrchestratorDomain
import OrchestratorPorts
import Testing

/// Issue 11, item 7: every path that resolves targets keeps to the deployment's environment.
@Suite("Deployments stay in their environment")
struct DeploymentEnvironmentTests {
    typealias H = DeploymentHarness

    @Test(
        "creation refuses named nodes of another environment; a node moved later leaves the release and the rollout; rollback leaves it alone",
        arguments: FleetBackend.available)
    func movedNodes(backend: FleetBackend) async throws {
        try await H.with(backend) { h in
            try await h.register("1.0.0")
            let nodes = try await h.enroll(3)
            _ = try await h.enroll(1, prefix: "prod", environment: "production")
            let service = try await h.replica()
            var named = H.spec("1.0.0")
            named.target = DeploymentTarget(nodeIds: ["node-0", "prod-0"])
            await #expect(throws: DeploymentError.targetsInOtherEnvironment(["prod-0 (production)"], environment: "development", total: 1)) {
                _ = try await service.create(named, by: H.developer, requestID: nil)
            }

            let created = try await service.create(
                H.spec("1.0.0", strategy: .rolling(batch: .count(1), pause: .none)), by: H.developer, requestID: nil)
            #expect(created.stepCount == 3, "the production node is not a target")
            var record = try await service.execute(created.id, by: H.admin, note: nil, ifMatch: nil, requestID: nil)
            let rows = try await h.store.deploymentNodes(of: record.id)
            let first = try #require(rows.first { $0.state == .updating }?.nodeID)
            let later = rows.filter { $0.state == .pending }.map(\.nodeID)
            #expect(try await h.desired(first)?.version == "1.0.0")
            for node in [first] + later {
                _ = try await h.nodes.update(node: node, NodeUpdate(environment: "staging"), actor: "ops", requestID: nil)
            }
            #expect(try await h.desired(first) == nil, "a node moved out of the release's environment loses its module")
            for _ in 0..<3 { _ = try await service.engine.evaluateOnce() }
            let after = try await h.store.deploymentNodes(of: record.id)
            for node in [first] + later {
                let row = try #require(after.first { $0.nodeID == node })
                #expect(row.state == .skipped && row.message == "moved to environment 'staging'", "\(row)")
                #expect(try await h.desired(node) == nil, "nothing was sent to a node of another environment")
            }

            record = try await service.rollback(record.id, by: H.admin, reason: "incident", ifMatch: nil, requestID: nil)
            let rolledBack = try #require(try await h.store.deploymentNodes(of: record.id).first { $0.nodeID == first })
            #expect(rolledBack.state == .skipped && rolledBack.message == "moved to environment 'staging'")
            #expect(try await h.desired(first) == nil, "the staging node's desired state is not rewritten")
            #expect(nodes.count == 3)
        }
    }
}
