import EdgeFleet
import Foundation
import OrchestratorDomain
import OrchestratorPorts
import Testing

/// Enrollment, credentials, admission and operator changes on every stack.
@Suite("Edge node lifecycle")
struct NodeLifecycleTests {
    @Test("token → register → credential resolves → rotate → deregister", arguments: FleetBackend.available)
    func lifecycle(backend: FleetBackend) async throws {
        try await backend.withFleet { fleet async throws in
            let service = try await fleet.replica()
            let (_, token) = try await service.createEnrollmentToken(
                ttlSeconds: 3600, maxUses: 2, region: "us-east", labels: [:], description: "rack 7", actor: "admin", requestID: "r1")
            let (node, credential) = try await service.enroll(
                nodeID: nodeID("edge-1"), spec: FleetHarness.spec(), enrollmentToken: token, requestID: "r2")
            #expect(node.admission == .accepted)
            #expect(node.recordedHealth == .offline)
            #expect(try await service.credentials.resolve(credential)?.nodeID == nodeID("edge-1"))

            // The same id again with the token's second use: taken.
            await #expect(throws: FleetError.nodeIDTaken("edge-1")) {
                _ = try await service.enroll(nodeID: nodeID("edge-1"), spec: FleetHarness.spec(), enrollmentToken: token, requestID: nil)
            }
            _ = try await service.enroll(nodeID: nodeID("edge-2"), spec: FleetHarness.spec(), enrollmentToken: token, requestID: nil)
            await #expect(throws: FleetError.enrollmentRefused(.usedUp)) {
                _ = try await service.enroll(nodeID: nodeID("edge-3"), spec: FleetHarness.spec(), enrollmentToken: token, requestID: nil)
            }
            #expect(try await fleet.store.enrollmentTokens(includeExpiredBefore: nil).first?.uses == 2)

            let rotated = try await service.rotateCredential(node: nodeID("edge-1"), actor: "node:edge-1", requestID: nil)
            #expect(rotated != credential)
            #expect(try await service.credentials.resolve(credential) == nil)
            #expect(try await service.credentials.resolve(rotated)?.nodeID == nodeID("edge-1"))

            try await service.deregister(node: nodeID("edge-1"), actor: "admin", requestID: nil)
            #expect(try await service.credentials.resolve(rotated) == nil)
            await #expect(throws: FleetError.nodeNotFound("edge-1")) { _ = try await service.node(nodeID("edge-1")) }
            let actions = try await fleet.store.recentAudit(limit: 10).map(\.action)
            #expect(
                actions.prefix(5) == ["node.deregister", "node.credential.rotate", "node.register", "node.register", "node.enrollment-token.create"])
        }
    }

    @Test("enrollment misuse: unknown, expired, wrong region", arguments: FleetBackend.available)
    func enrollmentMisuse(backend: FleetBackend) async throws {
        let clock = TestClock()
        try await backend.withFleet(clock: clock) { fleet async throws in
            let service = try await fleet.replica()
            await #expect(throws: FleetError.unknownEnrollmentToken) {
                _ = try await service.enroll(
                    nodeID: nodeID("n1"), spec: FleetHarness.spec(), enrollmentToken: "wet_nope_" + String(repeating: "a", count: 43), requestID: nil)
            }
            let (_, scoped) = try await service.createEnrollmentToken(
                ttlSeconds: 60, maxUses: 5, region: "eu-west", labels: ["tier": "edge"], description: nil, actor: "admin", requestID: nil)
            await #expect(throws: FleetError.enrollmentRefused(.wrongRegion(allowed: "eu-west"))) {
                _ = try await service.enroll(
                    nodeID: nodeID("n1"), spec: FleetHarness.spec(region: "us-east", labels: ["tier": "edge"]), enrollmentToken: scoped,
                    requestID: nil)
            }
            clock.advance(by: 61)
            await #expect(throws: FleetError.enrollmentRefused(.expired)) {
                _ = try await service.enroll(
                    nodeID: nodeID("n1"), spec: FleetHarness.spec(region: "eu-west", labels: ["tier": "edge"]), enrollmentToken: scoped,
                    requestID: nil)
            }
            #expect(try await fleet.store.node(nodeID("n1")) == nil)
            #expect(try await fleet.store.enrollmentTokens(includeExpiredBefore: nil).first?.uses == 0)
        }
    }

    @Test("manual admission: pending until accepted; reject; enable/disable and labels", arguments: FleetBackend.available)
    func admission(backend: FleetBackend) async throws {
        var settings = FleetSettings()
        settings.admission = .manual
        try await backend.withFleet(settings: settings) { fleet async throws in
            let service = try await fleet.replica()
            let (node, credential) = try await fleet.enroll(service, "edge-p")
            #expect(node.admission == .pending)
            #expect(try await service.credentials.resolve(credential)?.admission == .pending)
            #expect(try await service.decide(.accept, node: nodeID("edge-p"), actor: "admin", requestID: nil).admission == .accepted)
            #expect(try await service.credentials.resolve(credential)?.admission == .accepted)  // evicted on decision
            #expect(try await service.decide(.accept, node: nodeID("edge-p"), actor: "admin", requestID: nil).admission == .accepted)
            #expect(try await service.decide(.reject, node: nodeID("edge-p"), actor: "admin", requestID: nil).admission == .rejected)

            let disabled = try await service.update(
                node: nodeID("edge-p"), isEnabled: false, labels: ["tier": "edge"], actor: "admin", requestID: nil)
            #expect(!disabled.isEnabled)
            #expect(disabled.labels == ["tier": "edge"])
            #expect(!disabled.isSchedulable)
            await #expect(throws: FleetError.self) {
                _ = try await service.update(node: nodeID("edge-p"), isEnabled: nil, labels: ["bad key": "x"], actor: "admin", requestID: nil)
            }
        }
    }

    @Test("listing filters by region, zone, labels, admission, enabled and health, in pages", arguments: FleetBackend.available)
    func listing(backend: FleetBackend) async throws {
        try await backend.withFleet { fleet async throws in
            let service = try await fleet.replica()
            for index in 1...7 {
                _ = try await fleet.enroll(
                    service, "n\(index)", region: index <= 5 ? "us-east" : "eu-west", labels: index % 2 == 0 ? ["gpu": "true"] : [:])
            }
            _ = try await service.update(node: nodeID("n4"), isEnabled: false, labels: nil, actor: "admin", requestID: nil)
            var seen: [String] = []
            var after: String?
            repeat {
                let page = try await fleet.store.nodes(NodeQuery(region: "us-east", afterID: after, limit: 2))
                seen += page.items.map(\.id.value)
                after = page.next
            } while after != nil
            #expect(seen == ["n1", "n2", "n3", "n4", "n5"])
            #expect(try await fleet.store.nodes(NodeQuery(labels: ["gpu": "true"], limit: 2)).items.map(\.id.value) == ["n2", "n4"])
            #expect(try await fleet.store.nodes(NodeQuery(labels: ["gpu": "true"], isEnabled: true)).items.map(\.id.value) == ["n2", "n6"])
            #expect(try await fleet.store.nodes(NodeQuery(zone: "us-east-1b")).items.isEmpty)
            #expect(try await fleet.store.nodes(NodeQuery(admission: .pending)).items.isEmpty)
            #expect(try await fleet.store.nodes(NodeQuery(health: .offline)).items.count == 7)
        }
    }
}
