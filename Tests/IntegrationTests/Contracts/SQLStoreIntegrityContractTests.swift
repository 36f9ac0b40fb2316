import Foundation
import OrchestratorApp
import OrchestratorDomain
import OrchestratorPorts
import SQLMetadataStore
import Testing

/// What both SQL dialects must agree on beyond the happy path: unique constraints are domain
/// conflicts (by error code), and a row that cannot be read is an error, never a silent drop.
@Suite("SQL store integrity contract")
struct SQLStoreIntegrityContractTests {
    static let digest = ContentDigest(parsing: "sha256:" + String(repeating: "c", count: 64))!
    static let audit = AuditEvent(actor: "admin", action: "test", target: "t", outcome: .success, requestID: nil, occurredAt: 1)

    static func record(_ id: String, state: DeploymentState, module: String = "hello") -> DeploymentRecord {
        let spec = DeploymentSpec(
            moduleName: module, moduleVersion: "1.0.0", target: DeploymentTarget(regions: ["eu"]), environment: "production",
            function: FunctionConfig(entrypoint: "_start"), strategy: .allAtOnce,
            failurePolicy: FailurePolicy(threshold: .percent(10), nodeTimeoutSeconds: 60, progressDeadlineSeconds: 600, autoRollback: true))
        return DeploymentRecord(
            id: id, spec: spec, versionKey: "1.0.0", digest: digest, state: state, createdBy: "dev", createdAt: 10, stepCount: 1)
    }

    /// An enrollment token with secret hash `secret` and five uses.
    static func createToken(in store: any MetadataStore) async throws {
        let token = EnrollmentTokenRecord(
            id: "tok", expiresAt: 1e12, maxUses: 5, uses: 0, region: nil, requiredLabels: [:], createdBy: "admin", createdAt: 1,
            description: nil)
        try await store.createEnrollmentToken(token, secretHash: "secret", audit: audit)
    }

    static func enroll(_ id: String, credential: String, in store: any MetadataStore) async throws -> EnrollmentOutcome {
        try await store.enroll(
            Enrollment(tokenHash: "secret", nodeID: NodeID(id)!, spec: FleetHarness.spec(), admission: .accepted, credentialHash: credential, at: 2),
            audit: audit)
    }

    static func migrated(_ backend: MetadataBackend, _ body: @Sendable (any MetadataStore) async throws -> Void) async throws {
        let shipped = try BundledResources.migrations(for: backend.dialect)
        try await backend.withStore { store in
            _ = try await store.migrate(shipped)
            try await body(store)
        }
    }

    @Test("a second active rollout of a module is an ActiveDeploymentConflict, on create and on commit", arguments: MetadataBackend.available)
    func oneActivePerModule(backend: MetadataBackend) async throws {
        try await Self.migrated(backend) { store in
            try await store.createDeployment(Self.record("dep-a", state: .inProgress), nodes: [], audit: Self.audit)
            await #expect(throws: ActiveDeploymentConflict.self) {
                try await store.createDeployment(Self.record("dep-b", state: .inProgress), nodes: [], audit: Self.audit)
            }
            try await store.createDeployment(Self.record("dep-c", state: .approved), nodes: [], audit: Self.audit)
            var started = Self.record("dep-c", state: .inProgress)
            started.revision = 2
            await #expect(throws: ActiveDeploymentConflict.self) {
                try await store.commit(DeploymentCommit(expectedRevision: 1, record: started, nodes: [], desired: [:], audit: [], revertOnly: false))
            }
            #expect(try await store.deployment(id: "dep-c")?.state == .approved)  // the refused commit wrote nothing
            #expect(try await store.deployment(id: "dep-b") == nil)
        }
    }

    @Test("enrolling with a credential hash another node holds is nodeExists, not a driver error", arguments: MetadataBackend.available)
    func duplicateCredential(backend: MetadataBackend) async throws {
        try await Self.migrated(backend) { store in
            try await Self.createToken(in: store)
            func enroll(_ id: String) async throws -> EnrollmentOutcome {
                try await Self.enroll(id, credential: "same-credential", in: store)
            }
            guard case .registered = try await enroll("node-a") else {
                Issue.record("first enrollment refused")
                return
            }
            guard case .nodeExists = try await enroll("node-b") else {
                Issue.record("duplicate credential not a conflict")
                return
            }
            guard case .nodeExists = try await enroll("node-a") else {
                Issue.record("duplicate id not a conflict")
                return
            }
            #expect(try await store.allNodes().map(\.id.value) == ["node-a"])
            #expect(try await store.enrollmentToken(secretHash: "secret")?.uses == 1)
        }
    }

    @Test("a deployment whose stored JSON is corrupt fails the read and the listing instead of vanishing", arguments: MetadataBackend.available)
    func corruptDeploymentThrows(backend: MetadataBackend) async throws {
        try await Self.migrated(backend) { store in
            try await store.createDeployment(Self.record("dep-ok", state: .approved), nodes: [], audit: Self.audit)
            try await store.createDeployment(Self.record("dep-bad", state: .approved, module: "other"), nodes: [], audit: Self.audit)
            try await NodeEnvironmentTests.execute(on: store, ["UPDATE deployments SET record_json = '{not json' WHERE id = 'dep-bad'"])
            #expect(try await store.deployment(id: "dep-ok")?.id == "dep-ok")
            let error = await #expect(throws: CorruptRowError.self) { try await store.deployment(id: "dep-bad") }
            #expect(error?.table == "deployments" && error?.key == "dep-bad" && error?.column == "record_json")
            await #expect(throws: CorruptRowError.self) { try await store.deployments(DeploymentQuery()) }
        }
    }

    @Test("a node with an unknown admission or health text fails the read and the listing", arguments: MetadataBackend.available)
    func corruptNodeThrows(backend: MetadataBackend) async throws {
        try await Self.migrated(backend) { store in
            try await Self.createToken(in: store)
            _ = try await Self.enroll("node-a", credential: "c", in: store)
            try await NodeEnvironmentTests.execute(on: store, ["UPDATE nodes SET health = 'Sideways' WHERE id = 'node-a'"])
            await #expect(throws: CorruptRowError.self) { try await store.node(NodeID("node-a")!) }
            await #expect(throws: CorruptRowError.self) { try await store.nodes(NodeQuery()) }
            try await NodeEnvironmentTests.execute(on: store, ["UPDATE nodes SET health = 'Offline', labels_json = '[' WHERE id = 'node-a'"])
            let error = await #expect(throws: CorruptRowError.self) { try await store.allNodes() }
            #expect(error?.key == "node-a" && error?.column == "labels_json")
        }
    }

    @Test("a module version with an unparsable digest fails the version listing", arguments: MetadataBackend.available)
    func corruptVersionThrows(backend: MetadataBackend) async throws {
        let at = backend.dialect == .postgres ? "to_timestamp(1)" : "1"  // timestamptz columns on PostgreSQL (migration 0011)
        try await Self.migrated(backend) { store in
            try await NodeEnvironmentTests.execute(
                on: store,
                [
                    "INSERT INTO modules (name, description, created_by, created_at, updated_at) VALUES ('hello', '', 'dev', \(at), \(at))",
                    """
                    INSERT INTO module_versions
                        (module_name, version, version_key, digest, size_bytes, kind, interface_json, status, created_by, created_at)
                    VALUES ('hello', '1.0.0', '1.0.0', 'md5:nope', 1, 'module', '{}', 'active', 'dev', \(at))
                    """,
                ])
            let name = ModuleName("hello")!
            await #expect(throws: CorruptRowError.self) { try await store.versions(VersionQuery(module: name)) }
            await #expect(throws: CorruptRowError.self) { try await store.version(of: name, key: "1.0.0") }
        }
    }
}
