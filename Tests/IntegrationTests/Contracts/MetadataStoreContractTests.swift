import Foundation
import Logging
import OrchestratorApp
import OrchestratorDomain
import OrchestratorPorts
import Testing

/// One contract, every metadata store: SQLite and PostgreSQL run the same assertions.
@Suite("MetadataStore contract")
struct MetadataStoreContractTests {
    @Test("applies every shipped migration once, in order, and records it", arguments: MetadataBackend.available)
    func migratesOnce(backend: MetadataBackend) async throws {
        let shipped = try BundledResources.migrations(for: backend.dialect)
        #expect(!shipped.isEmpty)
        try await backend.withStore { store in
            #expect(try await store.appliedMigrations().isEmpty)
            #expect(try await store.migrate(shipped) == shipped.map(\.version))
            #expect(try await store.migrate(shipped) == [])
            let applied = try await store.appliedMigrations()
            #expect(applied.map(\.version) == shipped.map(\.version))
            #expect(applied.map(\.checksum) == shipped.map { MigrationChecksum.of($0.sql) })
        }
    }

    @Test("refuses to run when an applied migration was edited", arguments: MetadataBackend.available)
    func detectsEditedMigration(backend: MetadataBackend) async throws {
        let shipped = try BundledResources.migrations(for: backend.dialect)
        try await backend.withStore { store in
            _ = try await store.migrate(shipped)
            var edited = shipped
            edited[0] = Migration(version: shipped[0].version, name: shipped[0].name, sql: shipped[0].sql + "\n-- edited")
            await #expect(throws: MigrationError.checksumMismatch(version: shipped[0].version, name: shipped[0].name)) {
                try await store.migrate(edited)
            }
        }
    }

    @Test("a failing migration rolls back entirely and is not recorded", arguments: MetadataBackend.available)
    func failingMigrationRollsBack(backend: MetadataBackend) async throws {
        let shipped = try BundledResources.migrations(for: backend.dialect)
        let broken = Migration(version: 9000, name: "broken", sql: "CREATE TABLE contract_probe (id INTEGER);\nTHIS IS NOT SQL;\n")
        try await backend.withStore { store in
            _ = try await store.migrate(shipped)
            await #expect(throws: (any Error).self) { try await store.migrate(shipped + [broken]) }
            #expect(try await store.appliedMigrations().map(\.version) == shipped.map(\.version))
            // The failed migration's first statement was rolled back too, so a fixed version applies cleanly.
            let fixed = Migration(version: 9000, name: "fixed", sql: "CREATE TABLE contract_probe (id INTEGER);\n")
            #expect(try await store.migrate(shipped + [fixed]) == [9000])
        }
    }

    @Test("replicas migrating at once apply each migration exactly once", arguments: MetadataBackend.available)
    func concurrentMigrations(backend: MetadataBackend) async throws {
        let shipped = try BundledResources.migrations(for: backend.dialect)
        try await backend.withStore { store in
            let results = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 { group.addTask { try await store.migrate(shipped) } }
                var all: [[Int]] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(results.flatMap { $0 }.sorted() == shipped.map(\.version))
            #expect(try await store.appliedMigrations().map(\.version) == shipped.map(\.version))
        }
    }

    @Test("with migrateOnStart off, the API stays gated until someone else migrates", arguments: MetadataBackend.available)
    func gateWaitsForExternalMigration(backend: MetadataBackend) async throws {
        let shipped = try BundledResources.migrations(for: backend.dialect)
        try await backend.withStore { store in
            let gate = SchemaGate()
            let service = MigrationService(
                store: store, migrations: shipped, gate: gate, maxBackoff: .milliseconds(200), applyPending: false,
                logger: Logger(label: "test.migrations", factory: { _ in SwiftLogNoOpLogHandler() }))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                try await Task.sleep(for: .milliseconds(500))
                #expect(!gate.isOpen)
                #expect(try await store.appliedMigrations().isEmpty)  // it did not apply anything itself
                _ = try await store.migrate(shipped)  // `wasm-orchestrator migrate`
                for _ in 0..<50 where !gate.isOpen { try await Task.sleep(for: .milliseconds(50)) }
                #expect(gate.isOpen)
                group.cancelAll()
            }
        }
    }

    @Test("audit events round-trip, newest first, bounded by the limit", arguments: MetadataBackend.available)
    func auditRoundTrip(backend: MetadataBackend) async throws {
        let shipped = try BundledResources.migrations(for: backend.dialect)
        try await backend.withStore { store in
            _ = try await store.migrate(shipped)
            let events = (0..<5).map { index in
                AuditEvent(
                    actor: "alice", action: "module.upload", target: "module:hello@1.0.\(index)",
                    outcome: index == 4 ? .failure : .success, requestID: index == 2 ? nil : "req-\(index)",
                    occurredAt: 1_800_000_000 + Double(index))
            }
            for event in events { try await store.appendAudit(event) }
            #expect(try await store.recentAudit(limit: 3) == Array(events.reversed().prefix(3)))
            #expect(try await store.recentAudit(limit: 100).count == 5)
            #expect(try await store.recentAudit(limit: 0).isEmpty)
        }
    }

    @Test("text with quotes and unicode is stored verbatim (bound, not interpolated)", arguments: MetadataBackend.available)
    func bindsParameters(backend: MetadataBackend) async throws {
        let shipped = try BundledResources.migrations(for: backend.dialect)
        try await backend.withStore { store in
            _ = try await store.migrate(shipped)
            let event = AuditEvent(
                actor: "o'brien\"; DROP TABLE audit_events; --", action: "a", target: "模块 ✓", outcome: .denied,
                requestID: "r", occurredAt: 1)
            try await store.appendAudit(event)
            #expect(try await store.recentAudit(limit: 1) == [event])
        }
    }

    @Test("ping answers", arguments: MetadataBackend.available)
    func ping(backend: MetadataBackend) async throws {
        try await backend.withStore { store in try await store.ping() }
    }
}
