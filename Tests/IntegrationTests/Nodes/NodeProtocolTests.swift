import EdgeFleet
import Foundation
import Logging
import OrchestratorApp
import OrchestratorDomain
import OrchestratorPorts
import RedisCache
import Testing

/// Heartbeats, health transitions, desired state and status reports on every stack.
@Suite("Edge node protocol")
struct NodeProtocolTests {
    static func heartbeat(cpu: Double = 45.2, conditions: [NodeCondition] = []) -> Heartbeat {
        Heartbeat(cpuUsagePercent: cpu, memoryUsageMB: 8192, modulesLoaded: 42, agentVersion: "0.1.0", conditions: conditions)
    }

    @Test("heartbeats: cache first, durable after a flush, newest wins, bad ones refused", arguments: FleetBackend.available)
    func heartbeats(backend: FleetBackend) async throws {
        let clock = TestClock()
        try await backend.withFleet(clock: clock) { fleet async throws in
            let service = try await fleet.replica()
            _ = try await fleet.enroll(service, "hb-1")
            try await service.heartbeat(Self.heartbeat(cpu: 10), from: nodeID("hb-1"))
            var node = try await service.node(nodeID("hb-1"))
            #expect(node.lastHeartbeatAt == nil)  // not yet flushed...
            #expect(await service.heartbeats.latest(node)?.heartbeat.cpuUsagePercent == 10)  // ...but this replica sees it at once
            let other = try await fleet.replica()
            #expect(await other.heartbeats.latest(node) == nil)
            #expect(try await service.heartbeats.publish() == 1)  // and every replica after the cache publish
            #expect(await other.heartbeats.latest(node)?.heartbeat.cpuUsagePercent == 10)

            clock.advance(by: 1)
            try await service.heartbeat(Self.heartbeat(cpu: 20), from: nodeID("hb-1"))
            #expect(try await service.heartbeats.flush() == 1)
            node = try await service.node(nodeID("hb-1"))
            #expect(node.lastHeartbeat?.cpuUsagePercent == 20)
            // An older snapshot arriving late never overwrites a newer one.
            try await fleet.store.recordHeartbeats([
                HeartbeatSnapshot(nodeID: nodeID("hb-1"), at: clock.now - 100, heartbeat: Self.heartbeat(cpu: 99))
            ])
            #expect(try await service.node(nodeID("hb-1")).lastHeartbeat?.cpuUsagePercent == 20)

            await #expect(throws: FleetError.self) { try await service.heartbeat(Self.heartbeat(cpu: .nan), from: nodeID("hb-1")) }
            await #expect(throws: FleetError.self) { try await service.heartbeat(Self.heartbeat(cpu: -3), from: nodeID("hb-1")) }
        }
    }

    @Test(
        "with the cache down, heartbeats go straight to the database",
        arguments: [MetadataBackend.sqlite] + (TestServices.hasPostgres ? [.postgres] : []))
    func cacheDown(metadata: MetadataBackend) async throws {
        try await metadata.withStore { store in
            _ = try await store.migrate(try BundledResources.migrations(for: metadata.dialect))
            let deadRedis = RedisCache(
                endpoint: try RedisEndpoint(url: "redis://127.0.0.1:1"), keyPrefix: "dead:", logger: Logger(label: "test.dead"))
            let service = NodeService.assembled(
                store: store, cache: deadRedis, settings: FleetSettings(), now: { Date().timeIntervalSince1970 }, logger: Logger(label: "t"))
            try await withRunning([deadRedis]) {
                let (_, token) = try await service.createEnrollmentToken(
                    ttlSeconds: 600, maxUses: 1, region: nil, labels: [:], description: nil, actor: "a", requestID: nil)
                _ = try await service.enroll(nodeID: nodeID("solo"), spec: FleetHarness.spec(), enrollmentToken: token, requestID: nil)
                try await service.heartbeat(Self.heartbeat(cpu: 33), from: nodeID("solo"))
                #expect(try await service.heartbeats.publish() == 1)
                let node = try await service.node(nodeID("solo"))
                #expect(node.lastHeartbeat?.cpuUsagePercent == 33)  // durable without waiting for the database flush
                #expect(await service.health.currentHealth(of: node).0 == .healthy)
            }
        }
    }

    @Test("health transitions follow the injected clock and are recorded once across replicas", arguments: FleetBackend.available)
    func healthTransitions(backend: FleetBackend) async throws {
        let clock = TestClock()
        try await backend.withFleet(clock: clock) { fleet async throws in
            let a = try await fleet.replica()
            let b = try await fleet.replica()
            let id = nodeID("h-1")
            _ = try await fleet.enroll(a, "h-1")
            try await a.heartbeat(Self.heartbeat(), from: id)
            try await a.heartbeats.publish()  // what the ingest service does every 250 ms
            #expect(try await a.health.evaluateOnce().map(\.to) == [.healthy])
            #expect(try await b.health.evaluateOnce().isEmpty)  // the other replica finds it already recorded
            clock.advance(by: 61)
            #expect(try await b.health.evaluateOnce().map(\.to) == [.unhealthy])
            clock.advance(by: 60)
            #expect(try await a.health.evaluateOnce().map(\.to) == [.offline])
            try await a.heartbeat(Self.heartbeat(conditions: [NodeCondition(type: "DiskPressure", status: false, severity: .warning)]), from: id)
            try await a.heartbeats.publish()
            #expect(try await a.health.evaluateOnce().map(\.to) == [.degraded])
            let history = try await fleet.store.healthTransitions(of: id, limit: 10)
            #expect(history.map(\.to) == [.degraded, .offline, .unhealthy, .healthy])
            #expect(history.last?.from == .offline)
            #expect(try await a.node(id).recordedHealth == .degraded)
        }
    }

    @Test("a desired-state change wakes a poller on another replica quickly; no change waits out the timeout", arguments: FleetBackend.available)
    func longPollAcrossReplicas(backend: FleetBackend) async throws {
        try await backend.withFleet { fleet async throws in
            let poller = try await fleet.replica()
            let writer = try await fleet.replica()
            let id = nodeID("lp-1")
            _ = try await fleet.enroll(writer, "lp-1")
            let before = try await poller.desiredState.snapshot(for: id)
            #expect(before.modules.isEmpty)

            // Unchanged: the wait runs to its limit.
            let idleStart = ContinuousClock.now
            await poller.desiredState.waitForChange(of: id, since: poller.desiredState.changeCounter(of: id), timeout: .milliseconds(600))
            #expect(ContinuousClock.now - idleStart >= .milliseconds(550))

            let counter = poller.desiredState.changeCounter(of: id)
            let started = ContinuousClock.now
            async let woken: Bool = poller.desiredState.waitForChange(of: id, since: counter, timeout: .seconds(60))
            try await Task.sleep(for: .milliseconds(100))
            let module = DesiredModule(
                name: "hello", version: "1.0.0", digest: ContentDigest(bytes: [UInt8](repeating: 7, count: 32)), entrypoint: "_start",
                resources: ResourceLimits())
            try await writer.desiredState.setDesiredModules([module], for: id)
            await woken
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .seconds(20), "woken after \(elapsed)")  // the wait is 60 s; generous for a loaded CI machine
            let after = try await poller.desiredState.snapshot(for: id)
            #expect(after.modules == [module])
            #expect(after.etag != before.etag)
        }
    }

    @Test("status reports are upserted per module and removed with the node", arguments: FleetBackend.available)
    func statusReports(backend: FleetBackend) async throws {
        try await backend.withFleet { fleet async throws in
            let service = try await fleet.replica()
            let id = nodeID("s-1")
            _ = try await fleet.enroll(service, "s-1")
            let digest = ContentDigest(bytes: [UInt8](repeating: 1, count: 32))
            let downloading = ModuleStatusReport(
                deploymentID: "d-1", module: "hello", version: "1.0.0", digest: digest, state: .downloading, reason: nil)
            // Reports are accepted only for modules the node was asked to hold.
            await #expect(throws: FleetError.unexpectedReport("module 'hello' is not in this node's desired state")) {
                try await service.report([downloading], from: id)
            }
            try await service.desiredState.setDesiredModules(
                [DesiredModule(name: "hello", version: "1.0.0", digest: digest, entrypoint: "_start", resources: ResourceLimits())], for: id)
            try await service.report([downloading], from: id)
            var failed = downloading
            failed.state = .failed
            failed.reason = "digest mismatch"
            try await service.report([failed], from: id)
            #expect(try await service.moduleStatuses(of: id).map(\.report) == [failed], "buffered reports are visible at once on this replica")
            #expect(try await service.statuses.flush() == 1, "one row per node and module: the newer report replaced the older")
            let statuses = try await fleet.store.moduleStatuses(of: id)
            #expect(statuses.map(\.report) == [failed])
            await #expect(throws: FleetError.self) { try await service.report([], from: id) }
            var unexplained = failed
            unexplained.reason = nil
            await #expect(throws: FleetError.self) { try await service.report([unexplained], from: id) }
            try await service.report([downloading], from: id)
            try await service.deregister(node: id, actor: "admin", requestID: nil)
            #expect(try await service.statuses.flush() == 0, "a deregistered node's buffered reports are dropped")
            #expect(try await fleet.store.moduleStatuses(of: id).isEmpty)
            // A batch naming a node that no longer exists is skipped, not an error.
            try await fleet.store.recordStatuses([RecordedStatus(node: id, status: RecordedModuleStatus(report: failed, reportedAt: 1))])
            #expect(try await fleet.store.moduleStatuses(of: id).isEmpty)
        }
    }
}
