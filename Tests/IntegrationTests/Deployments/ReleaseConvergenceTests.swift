import Deployments
import EdgeFleet
import OrchestratorDomain
import OrchestratorPorts
import Testing

/// Issue 13: releases that every matching node converges to, on both dialects (docs/deployments.md, "Releases and convergence").
@Suite("Releases converge on every metadata store")
struct ReleaseConvergenceTests {
    typealias H = DeploymentHarness

    /// Creates, executes and completes a deployment of `version` to region `eu` (every node reporting `running`).
    static func complete(_ version: String, _ h: H, _ service: DeploymentService, retire: Bool = false) async throws -> DeploymentRecord {
        var spec = H.spec(version)
        spec.retire = retire ? true : nil
        let created = try await service.create(spec, by: H.developer, requestID: nil)
        var record = try await service.execute(created.id, by: H.admin, note: nil, ifMatch: nil, requestID: nil)
        for _ in 0..<5 where record.state != .completed {
            try await h.report(record)
            _ = try await service.engine.evaluateOnce()
            record = try await service.deployment(record.id)
        }
        #expect(record.state == .completed, "\(record.state) \(record.reason ?? "")")
        return record
    }

    @Test(
        "late nodes get the release on enrollment; a new version and its rollback reach them; another environment and unlabelled nodes never do",
        arguments: FleetBackend.available)
    func lateNodes(backend: FleetBackend) async throws {
        try await H.with(backend) { h in
            try await h.register("1.0.0")
            try await h.register("2.0.0", digestByte: "b")
            _ = try await h.enroll(2)
            let service = try await h.replica()
            let first = try await Self.complete("1.0.0", h, service)
            let release = try #require(first.releaseID)
            #expect(try await h.store.release(id: release)?.stable?.version == "1.0.0")

            // Enrolled after the release exists: the module is there before the node's first poll.
            let late = try await h.enroll(1, prefix: "late")[0]
            #expect(try await h.desired(late)?.version == "1.0.0")
            #expect(try await h.desired(late)?.releaseID == release)
            let (elsewhere, _) = try await h.fleet.enroll(h.nodes, "elsewhere", region: "eu", environment: "staging")
            let (unmatched, _) = try await h.fleet.enroll(h.nodes, "unmatched", region: "us-east", environment: "development")
            #expect(try await h.desired(elsewhere.id) == nil)
            #expect(try await h.desired(unmatched.id) == nil)

            // The same target: the same release, now at 2.0.0 on every node, the late one included.
            let second = try await Self.complete("2.0.0", h, service)
            #expect(second.releaseID == release)
            #expect(try await h.desired(late)?.version == "2.0.0")

            // Rollback reverts the release; a node that joins afterwards gets the reverted version too.
            _ = try await service.rollback(second.id, by: H.admin, reason: "incident", ifMatch: nil, requestID: nil)
            #expect(try await h.store.release(id: release)?.stable?.version == "1.0.0")
            #expect(try await h.desired(late)?.version == "1.0.0")
            let afterRollback = try await h.enroll(1, prefix: "after")[0]
            #expect(try await h.desired(afterRollback)?.version == "1.0.0")

            // A restarted replica derives the same state: nothing to change. Two replicas deriving at once agree.
            let restarted = try await h.replica()
            #expect(try await restarted.engine.reconcileFleet().isEmpty)
            // A change behind the use case's back (no trigger): both replicas derive at once, one write lands, the result is the rule's.
            _ = try await h.store.updateNode(afterRollback, NodeUpdate(environment: "staging"), at: h.fleet.clock.now, audit: [])
            let other = try await h.replica()
            async let fromRestarted = restarted.engine.reconcileFleet()
            async let fromOther = other.engine.reconcileFleet()
            let (changedByRestarted, changedByOther) = try await (fromRestarted, fromOther)
            #expect(changedByRestarted + changedByOther == [afterRollback], "exactly one replica wrote the change")
            #expect(try await h.desired(afterRollback) == nil)
            #expect(try await h.desired(late)?.version == "1.0.0")
            #expect(try await h.desired(elsewhere.id) == nil)
            #expect(try await h.desired(unmatched.id) == nil)

            // Leaving: moved to another environment, the node loses the module.
            _ = try await h.nodes.update(node: late, NodeUpdate(environment: "staging"), actor: "ops", requestID: nil)
            #expect(try await h.desired(late) == nil)
        }
    }

    @Test("retiring the release through a deployment removes the module from all its nodes", arguments: FleetBackend.available)
    func retire(backend: FleetBackend) async throws {
        try await H.with(backend) { h in
            try await h.register("1.0.0")
            let nodes = try await h.enroll(2)
            let service = try await h.replica()
            let first = try await Self.complete("1.0.0", h, service)
            let retired = try await Self.complete("1.0.0", h, service, retire: true)
            #expect(retired.releaseID == first.releaseID)
            for node in nodes { #expect(try await h.desired(node) == nil) }
            let releaseID = try #require(first.releaseID)
            let release = try #require(try await h.store.release(id: releaseID))
            #expect(release.state == .retired && release.stable == nil)
            #expect(try await h.store.activeReleases().isEmpty)
            // Nodes that join later get nothing from a retired release.
            let late = try await h.enroll(1, prefix: "late")[0]
            #expect(try await h.desired(late) == nil)
        }
    }

    @Test(
        "a second release of the module over the same nodes at the same priority is refused naming both; a higher priority wins",
        arguments: FleetBackend.available)
    func conflicts(backend: FleetBackend) async throws {
        try await H.with(backend) { h in
            try await h.register("1.0.0")
            try await h.register("2.0.0", digestByte: "b")
            let nodes = try await h.enroll(2)
            let service = try await h.replica()
            let first = try await Self.complete("1.0.0", h, service)
            var narrow = H.spec("2.0.0")
            narrow.target = DeploymentTarget(nodeIds: [nodes[0].value], offlineNodes: .include)
            do {
                _ = try await service.create(narrow, by: H.developer, requestID: nil)
                Issue.record("an equal-priority overlap must be refused")
            } catch DeploymentError.release(.unsettledConflict(_, let other, let shared)) {
                #expect(other == first.releaseID && shared == [nodes[0].value])
            }
            narrow.priority = 10
            let created = try await service.create(narrow, by: H.developer, requestID: nil)
            #expect(created.releaseID != first.releaseID)
            var record = try await service.execute(created.id, by: H.admin, note: nil, ifMatch: nil, requestID: nil)
            try await h.report(record)
            _ = try await service.engine.evaluateOnce()
            record = try await service.deployment(record.id)
            #expect(record.state == .completed)
            let preferred = try await h.desired(nodes[0])
            let other = try await h.desired(nodes[1])
            #expect(preferred?.releaseID == created.releaseID && preferred?.version == "2.0.0")
            #expect(other?.releaseID == first.releaseID && other?.version == "1.0.0")
        }
    }
}
