import EdgeFleet
import Foundation
import InProcessCache
import Logging
import OrchestratorApp
import OrchestratorDomain
import OrchestratorPorts
import PostgresMetadataStore
import PostgresNIO
import SQLMetadataStore
import Testing

@testable import SQLiteMetadataStore

/// Issue 11, item 7 on every store: environments and trusted labels are
/// stored apart from what the node reports, migrate from the old schema, and
/// a bad enrollment token is refused before any write.
@Suite("Node environments on real stores")
struct NodeEnvironmentTests {
    @Test(
        "the token's environment and labels are stored as trusted, the node's own as reported; admins change them, audited",
        arguments: FleetBackend.available)
    func trustedPlacement(backend: FleetBackend) async throws {
        try await backend.withFleet { fleet async throws in
            let service = try await fleet.replica()
            let (token, secret) = try await service.createEnrollmentToken(
                ttlSeconds: 3600, maxUses: 2, region: nil, labels: ["tier": "edge"], description: nil, actor: "admin", requestID: nil,
                environment: "staging")
            #expect(try await fleet.store.enrollmentToken(secretHash: Secrets.hash(secret))?.environment == "staging")
            #expect(try await fleet.store.enrollmentTokens(includeExpiredBefore: nil).first?.environment == token.environment)
            let (node, _) = try await service.enroll(
                nodeID: nodeID("s1"), spec: FleetHarness.spec(labels: ["gpu": "true"]), enrollmentToken: secret, requestID: nil)
            #expect(node.environment == "staging" && node.labels == ["tier": "edge"] && node.reportedLabels == ["gpu": "true"])
            _ = try await fleet.enroll(service, "p1", labels: ["gpu": "true"])

            // Re-registration replaces what the node reports, never the trusted placement.
            let again = try await service.reregister(nodeID: nodeID("s1"), spec: FleetHarness.spec(labels: ["gpu": "false"]), requestID: nil)
            #expect(again.environment == "staging" && again.labels == ["tier": "edge"] && again.reportedLabels == ["gpu": "false"])

            #expect(try await fleet.store.nodes(NodeQuery(environment: "staging")).items.map(\.id.value) == ["s1"])
            #expect(try await fleet.store.nodes(NodeQuery(environment: "production")).items.map(\.id.value) == ["p1"])
            #expect(try await fleet.store.nodes(NodeQuery(labels: ["gpu": "false"])).items.isEmpty, "reported labels are not selectable")

            let moved = try await service.update(
                node: nodeID("s1"), NodeUpdate(adoptReportedLabels: true, environment: "production", zone: "us-east-1b"), actor: "root",
                requestID: "r9")
            #expect(moved.environment == "production" && moved.labels == ["tier": "edge", "gpu": "false"] && moved.spec.zone == "us-east-1b")
            #expect(try await fleet.store.node(nodeID("s1")) == moved)
            let audit = try await fleet.store.recentAudit(limit: 2)
            #expect(audit.map(\.action).sorted() == ["node.environment.change", "node.update"])
            #expect(audit.contains { $0.target == "node:s1 (staging -> production)" && $0.actor == "root" && $0.requestID == "r9" })
            await #expect(throws: FleetError.self) {
                _ = try await service.update(node: nodeID("s1"), NodeUpdate(environment: "qa"), actor: "root", requestID: nil)
            }
            await #expect(
                throws: FleetError.unknownEnvironment(
                    "'environment' must be one of the configured environments (development, production, staging); 'qa' is not"
                )
            ) {
                _ = try await service.createEnrollmentToken(
                    ttlSeconds: 60, maxUses: 1, region: nil, labels: [:], description: nil, actor: "admin", requestID: nil, environment: "qa")
            }
        }
    }

    @Test("0006 migrates existing nodes and tokens: production, labels kept as trusted", arguments: MetadataBackend.available)
    func migratesExistingNodes(backend: MetadataBackend) async throws {
        let shipped = try BundledResources.migrations(for: backend.dialect)
        try await backend.withStore { store in
            _ = try await store.migrate(shipped.filter { $0.version < 6 })
            let spec = try NodeCoding.encode(FleetHarness.spec(labels: ["tier": "edge", "rack": "7"]))
            try await Self.execute(
                on: store,
                [
                    """
                    INSERT INTO enrollment_tokens
                        (id, secret_hash, expires_at, max_uses, uses, region, required_labels_json, description, created_by, created_at)
                    VALUES ('old', 'hash-old', 9999999999, 1, 0, NULL, '{}', NULL, 'admin', 1)
                    """,
                    """
                    INSERT INTO nodes (id, spec_json, region, zone, admission, credential_hash, registered_at, updated_at)
                    VALUES ('legacy-1', '\(spec)', 'us-east', 'us-east-1a', 'accepted', 'cred-1', 1, 1)
                    """,
                ])
            _ = try await store.migrate(shipped)
            let node = try #require(try await store.node(nodeID("legacy-1")))
            #expect(node.environment == "production")
            #expect(node.labels == ["tier": "edge", "rack": "7"])
            #expect(node.reportedLabels == node.labels)
            #expect(try await store.nodes(NodeQuery(labels: ["rack": "7"], environment: "production")).items.map(\.id.value) == ["legacy-1"])
            #expect(try await store.enrollmentToken(secretHash: "hash-old")?.environment == "production")
        }
    }

    /// Raw SQL on a store of the previous schema (the store's own methods already expect the new one).
    static func execute(on store: any MetadataStore, _ statements: [String]) async throws {
        if let sqlite = store as? SQLiteMetadataStore {
            for statement in statements { _ = try await sqlite.run(statement) }
        } else if let postgres = store as? PostgresMetadataStore {
            for statement in statements { try await postgres.client.query(PostgresQuery(unsafeSQL: statement)) }
        } else {
            Issue.record("unknown store \(type(of: store))")
        }
    }

    @Test("a wrong, expired or used-up enrollment token is refused without waiting for the SQLite write lock or writing anything")
    func badTokenTakesNoWriteLock() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("lock") + ".sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let logger = Logger(label: "test.lock")
        let store = try await SQLiteMetadataStore.open(path: path, logger: logger)
        _ = try await store.migrate(try BundledResources.migrations(for: .sqlite))
        let clock = TestClock()
        let service = NodeService.assembled(store: store, cache: InProcessCache(), settings: FleetSettings(), now: { clock.now }, logger: logger)
        let (_, once) = try await service.createEnrollmentToken(
            ttlSeconds: 3600, maxUses: 1, region: nil, labels: [:], description: nil, actor: "admin", requestID: nil)
        _ = try await service.enroll(nodeID: nodeID("first"), spec: FleetHarness.spec(), enrollmentToken: once, requestID: nil)
        let (_, expiring) = try await service.createEnrollmentToken(
            ttlSeconds: 60, maxUses: 5, region: nil, labels: [:], description: nil, actor: "admin", requestID: nil)
        clock.advance(by: 61)
        let auditBefore = try await store.recentAudit(limit: 100).count

        // Another connection (another process) holds the write lock for the whole check.
        let lock = try await SQLiteWriteLock.take(path: path, logger: logger)
        let clockStart = ContinuousClock.now
        let wrong = "wet_nope_" + String(repeating: "a", count: 43)
        let cases: [(String, FleetError)] = [
            (wrong, .unknownEnrollmentToken), (once, .enrollmentRefused(.usedUp)), (expiring, .enrollmentRefused(.expired)),
        ]
        for (token, expected) in cases {
            await #expect(throws: expected) { try await service.checkEnrollmentToken(token) }
            await #expect(throws: expected) {
                _ = try await service.enroll(nodeID: nodeID("second"), spec: FleetHarness.spec(), enrollmentToken: token, requestID: nil)
            }
        }
        let elapsed = ContinuousClock.now - clockStart
        try await lock.release()
        // A refusal that took the write lock would wait out busy_timeout (5 s) and then fail with "unavailable", not
        // the refusal expected above; six of them would take 30 s. 20 s leaves a loaded CI machine its margin.
        #expect(elapsed < .seconds(20), "refusals waited \(elapsed) for the write lock (busy_timeout is 5 s)")
        #expect(try await store.recentAudit(limit: 100).count == auditBefore)
        #expect(try await store.node(nodeID("second")) == nil)
        try await store.close()
    }

    @Test("a report or heartbeat being written stays visible on its replica until the database has it")
    func writesInFlightStayVisible() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("inflight") + ".sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let logger = Logger(label: "test.inflight")
        let store = try await SQLiteMetadataStore.open(path: path, logger: logger)
        _ = try await store.migrate(try BundledResources.migrations(for: .sqlite))
        let service = NodeService.assembled(
            store: store, cache: InProcessCache(), settings: FleetSettings(), now: { Date().timeIntervalSince1970 }, logger: logger)
        let (_, secret) = try await service.createEnrollmentToken(
            ttlSeconds: 3600, maxUses: 1, region: nil, labels: [:], description: nil, actor: "admin", requestID: nil)
        let id = nodeID("busy")
        let (node, _) = try await service.enroll(nodeID: id, spec: FleetHarness.spec(), enrollmentToken: secret, requestID: nil)
        let digest = ContentDigest(bytes: [UInt8](repeating: 7, count: 32))
        try await service.desiredState.setDesiredModules(
            [DesiredModule(name: "hello", version: "1.0.0", digest: digest, entrypoint: "_start", resources: ResourceLimits())], for: id)
        let report = ModuleStatusReport(deploymentID: "d-1", module: "hello", version: "1.0.0", digest: digest, state: .running, reason: nil)
        try await service.report([report], from: id)
        try await service.heartbeat(NodeProtocolTests.heartbeat(cpu: 12), from: id)

        // Another connection holds the write lock, so both flushes wait inside the store.
        let lock = try await SQLiteWriteLock.take(path: path, logger: logger)
        let statusFlush = Task { try await service.statuses.flush() }
        let heartbeatFlush = Task { try await service.heartbeats.flush() }
        try await Task.sleep(for: .milliseconds(300))  // both flushes have taken their batch and wait for the lock
        #expect(try await service.moduleStatuses(of: id).map(\.report) == [report])
        #expect(await service.heartbeats.latest(node)?.heartbeat.cpuUsagePercent == 12)
        try await lock.release()
        // A flush that timed out on the lock keeps its batch (the database was busy, the data is
        // fine): the next flush writes it. Nothing is dropped either way.
        if (try? await statusFlush.value) != 1 { #expect(try await service.statuses.flush() == 1) }
        if (try? await heartbeatFlush.value) != 1 { #expect(try await service.heartbeats.flush() == 1) }
        #expect(try await store.moduleStatuses(of: id).map(\.report) == [report])
        #expect(try await store.node(id)?.lastHeartbeat?.cpuUsagePercent == 12)
        try await store.close()
    }
}

/// The write lock of a SQLite file, held by another connection (as another process would) until ``release()``.
struct SQLiteWriteLock {
    private let connection: SQLiteMetadataStore
    private let holder: Task<Void, any Error>
    private let releaseContinuation: AsyncStream<Void>.Continuation

    /// Opens a second connection and returns once its `BEGIN IMMEDIATE` transaction holds the lock.
    static func take(path: String, logger: Logger) async throws -> SQLiteWriteLock {
        let connection = try await SQLiteMetadataStore.open(path: path, logger: logger)
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let (release, releaseContinuation) = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await connection.transaction { _ in
                startedContinuation.yield()
                for await _ in release { break }
            }
        }
        for await _ in started { break }
        return SQLiteWriteLock(connection: connection, holder: holder, releaseContinuation: releaseContinuation)
    }

    /// Ends the transaction and closes the second connection.
    func release() async throws {
        releaseContinuation.yield()
        try await holder.value
        try await connection.close()
    }
}
