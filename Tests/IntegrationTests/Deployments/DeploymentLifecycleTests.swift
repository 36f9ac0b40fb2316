import Deployments
import EdgeFleet
import Foundation
import OrchestratorDomain
import OrchestratorPorts
import Testing

/// The deployment workflow and rollout engine on every real stack (SQLite +
/// in-process cache; PostgreSQL + Redis), with the engine driven by hand.
@Suite("Deployments on real stores")
struct DeploymentLifecycleTests {
    typealias H = DeploymentHarness

    @Test("restart mid-rollout: a new replica resumes from the stored rows; no cohort is lost or dispatched twice", arguments: FleetBackend.available)
    func restartMidRollout(backend: FleetBackend) async throws {
        try await H.with(backend) { h in
            try await h.register("1.0.0")
            let nodes = try await h.enroll(4)
            let first = try await h.replica()
            let created = try await first.create(H.spec("1.0.0", strategy: .rolling(batch: .count(1), pause: .none)), by: H.developer, requestID: nil)
            var record = try await first.execute(created.id, by: H.admin, note: nil, ifMatch: nil, requestID: nil)
            let dispatchedAt = try await Dictionary(
                uniqueKeysWithValues: h.store.deploymentNodes(of: record.id).compactMap { node in
                    node.dispatchedAt.map { (node.nodeID, $0) }
                })
            #expect(dispatchedAt.count == 1)

            // Replica 1 advances one cohort, then "crashes" (is dropped); replica 2 takes over.
            try await h.report(record)
            #expect(try await first.engine.evaluateOnce() == 1)
            let second = try await h.replica()
            for _ in 0..<3 {
                record = try await second.deployment(record.id)
                try await h.report(record)
                // Both replicas evaluate concurrently, as two engines would after a split brain: the CAS lets one win.
                async let a = first.engine.evaluateOnce()
                async let b = second.engine.evaluateOnce()
                let committed = try await a + b
                #expect(committed <= 1)
                if committed == 0 { _ = try await second.engine.evaluateOnce() }
            }
            record = try await second.deployment(record.id)
            #expect(record.state == .completed, "\(record.state) \(record.reason ?? "")")
            let dispatches = record.events.filter { $0.type == "cohort.dispatched" }
            #expect(dispatches.count == 4, "\(dispatches.map(\.detail))")
            let rows = try await h.store.deploymentNodes(of: record.id)
            #expect(rows.allSatisfy { $0.state == .succeeded })
            for node in rows where dispatchedAt[node.nodeID] != nil { #expect(node.dispatchedAt == dispatchedAt[node.nodeID]) }
            for node in nodes { #expect(try await h.desired(node)?.deploymentID == record.id) }
        }
    }

    @Test("approvals expire: after the TTL an Approved deployment needs the quorum again", arguments: FleetBackend.available)
    func approvalExpiry(backend: FleetBackend) async throws {
        var settings = DeploymentSettings()
        settings.environments["production"] = EnvironmentPolicy(requireApproval: true, requiredApprovals: 2, approvalTTLSeconds: 60)
        let clock = TestClock()
        try await H.with(backend, clock: clock, settings: settings) { h in
            try await h.register("1.0.0")
            _ = try await h.enroll(1, environment: "production")
            let service = try await h.replica()
            let created = try await service.create(H.spec("1.0.0", environment: "production"), by: H.developer, requestID: nil)
            _ = try await service.approve(
                created.id, by: Principal(subject: "bob", role: .admin), comment: nil, reviewedDigest: nil, ifMatch: nil, requestID: nil)
            let approved = try await service.approve(
                created.id, by: Principal(subject: "carol", role: .admin), comment: nil, reviewedDigest: created.digest, ifMatch: nil, requestID: nil)
            #expect(approved.state == .approved)
            clock.advance(by: 61)
            await #expect(throws: DeploymentError.approvalsIncomplete(valid: 1, required: 2)) {
                try await service.execute(created.id, by: Principal(subject: "dave", role: .admin), note: nil, ifMatch: nil, requestID: nil)
            }
            #expect(try await service.deployment(created.id).revision == approved.revision, "the refused start changed nothing")
            let again = try await service.approve(
                created.id, by: Principal(subject: "bob", role: .admin), comment: "again", reviewedDigest: nil, ifMatch: nil, requestID: nil)
            #expect(again.state == .pendingApproval, "bob's fresh approval is 1 of 2: carol's expired with his first")
            let started = try await service.execute(created.id, by: Principal(subject: "erin", role: .admin), note: nil, ifMatch: nil, requestID: nil)
            #expect(started.state == .inProgress, "erin's approval through execute completes the quorum and starts")
            #expect(ApprovalRules.validApprovers(started.approvals, digest: started.digest, at: clock.now) == ["bob", "erin"])
        }
    }

    @Test("compare-and-set: of two commits for the same revision exactly one applies, with its desired state", arguments: FleetBackend.available)
    func commitCompareAndSet(backend: FleetBackend) async throws {
        try await H.with(backend) { h in
            try await h.register("1.0.0")
            let nodes = try await h.enroll(2)
            let service = try await h.replica()
            let record = try await service.create(H.spec("1.0.0"), by: H.developer, requestID: nil)
            var a = record
            a.revision += 1
            a.state = .cancelled
            var b = record
            b.revision += 1
            b.state = .inProgress
            let module = b.desiredModule
            async let first = h.store.commit(DeploymentCommit(expectedRevision: record.revision, record: a))
            async let second = h.store.commit(
                DeploymentCommit(
                    expectedRevision: record.revision, record: b, desired: [nodes[0]: Baseline(module: module), nodes[1]: Baseline(module: module)]))
            let results = try await [first, second]
            #expect(results.filter { $0 }.count == 1)
            let stored = try #require(try await h.store.deployment(id: record.id))
            #expect(stored.revision == record.revision + 1)
            let desired = try await h.desired(nodes[0])
            #expect((stored.state == .inProgress) == (desired?.deploymentID == record.id), "desired state is written only by the winner")
            #expect(try await h.store.desiredModules(of: nodes).count == (stored.state == .inProgress ? 2 : 0))
        }
    }

    @Test("desired-state fan-out: one batched notification wakes every held poll with the new state", arguments: FleetBackend.available)
    func fanOut(backend: FleetBackend) async throws {
        try await H.with(backend) { h in
            try await h.register("1.0.0")
            let nodes = try await h.enroll(40)
            let service = try await h.replica()
            let hub = h.nodes.desiredState
            let before = Dictionary(uniqueKeysWithValues: try await nodes.asyncMap { ($0, try await hub.snapshot(for: $0).etag) })
            let created = try await service.create(H.spec("1.0.0"), by: H.developer, requestID: nil)
            let counters = Dictionary(uniqueKeysWithValues: nodes.map { ($0, hub.changeCounter(of: $0)) })
            let started = ContinuousClock.now
            async let woken: [NodeID] = withTaskGroup(of: NodeID.self) { group in
                for node in nodes {
                    group.addTask {
                        await hub.waitForChange(of: node, since: counters[node]!, timeout: .seconds(60))
                        return node
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            try await Task.sleep(for: .milliseconds(200))
            _ = try await service.execute(created.id, by: H.admin, note: nil, ifMatch: nil, requestID: nil)
            let wokenNodes = await woken
            #expect(wokenNodes.count == 40)
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .seconds(20), "woken after \(elapsed); waiting out the timeout would take 60 s")
            for node in nodes {
                let snapshot = try await hub.snapshot(for: node)
                #expect(snapshot.etag != before[node] && snapshot.modules.first?.deploymentID == created.id)
            }
        }
    }

    @Test("one rollout per module: concurrent starts of two deployments of a module let exactly one run", arguments: FleetBackend.available)
    func oneActiveRolloutPerModule(backend: FleetBackend) async throws {
        try await H.with(backend) { h in
            try await h.register("1.0.0")
            try await h.register("2.0.0", digestByte: "b")
            _ = try await h.enroll(2)
            let service = try await h.replica()
            let a = try await service.create(H.spec("1.0.0"), by: H.developer, requestID: nil)
            let b = try await service.create(H.spec("2.0.0"), by: H.developer, requestID: nil)
            func attempt(_ id: String) async -> Result<DeploymentRecord, any Error> {
                do { return .success(try await service.execute(id, by: H.admin, note: nil, ifMatch: nil, requestID: nil)) } catch {
                    return .failure(error)
                }
            }
            async let first = attempt(a.id)
            async let second = attempt(b.id)
            let results = await [first, second]
            #expect(results.filter { (try? $0.get()) != nil }.count == 1)
            for case .failure(let error) in results {
                guard case DeploymentError.conflictingDeployment = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
            }
            #expect(try await h.store.activeDeployments().count == 1)
        }
    }

    @Test("rolling back an older deployment never reverts nodes a newer deployment owns", arguments: FleetBackend.available)
    func rollbackRespectsNewerOwner(backend: FleetBackend) async throws {
        try await H.with(backend) { h in
            try await h.register("1.0.0")
            try await h.register("2.0.0", digestByte: "b")
            let nodes = try await h.enroll(2)
            let service = try await h.replica()
            var old = try await service.create(H.spec("1.0.0"), by: H.developer, requestID: nil)
            old = try await service.execute(old.id, by: H.admin, note: nil, ifMatch: nil, requestID: nil)
            try await h.report(old)
            try await service.engine.evaluateOnce()
            #expect(try await service.deployment(old.id).state == .completed)
            let new = try await service.create(H.spec("2.0.0"), by: H.developer, requestID: nil)
            _ = try await service.execute(new.id, by: H.admin, note: nil, ifMatch: nil, requestID: nil)
            // The stale view a rollback could have: the store itself refuses to touch entries it no longer owns.
            let rows = try await h.store.deploymentNodes(of: old.id)
            var record = try await service.deployment(old.id)
            record.revision += 1
            record.state = .rolledBack
            let committed = try await h.store.commit(
                DeploymentCommit(
                    expectedRevision: record.revision - 1, record: record,
                    desired: Dictionary(uniqueKeysWithValues: rows.map { ($0.nodeID, Baseline(module: nil)) }), revertOnly: true))
            #expect(committed)
            for node in nodes { #expect(try await h.desired(node)?.deploymentID == new.id, "the newer deployment's entry stays") }
        }
    }

    @Test(
        "leadership: while one replica holds the rollout lease, another cannot take it",
        arguments: MetadataBackend.available.filter { $0 == .postgres })
    func leaderElection(backend: MetadataBackend) async throws {
        try await backend.withStore { store in
            let (held, release) = AsyncStream.makeStream(of: Void.self)
            let (entered, signal) = AsyncStream.makeStream(of: Void.self)
            let leader = Task {
                try await store.whileLeader("test-lease") { stillLeader in
                    try await stillLeader()
                    signal.yield()
                    for await _ in held { break }
                }
            }
            for await _ in entered { break }
            let second = try await store.whileLeader("test-lease") { _ in Issue.record("two leaders") }
            #expect(second == false)
            release.yield()
            let first = try await leader.value
            #expect(first == true)
            let again = try await store.whileLeader("test-lease") { _ in }
            #expect(again == true, "released on exit")
        }
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
