import Logging
import OrchestratorPorts
import SQLiteNIO

extension SQLiteMetadataStore {
    public func migrate(_ migrations: [Migration]) async throws -> [Int] {
        _ = try await run("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                checksum TEXT NOT NULL,
                applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            )
            """)
        let pending = try MigrationPlan.pending(available: migrations, applied: try await appliedMigrations())
        var appliedNow: [Int] = []
        for migration in pending {
            let applied = try await transaction { connection -> Bool in
                // Re-check inside the write lock: another caller may have applied it meanwhile.
                let already = try await connection.query(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", [.integer(migration.version)])
                guard already.isEmpty else { return false }
                for statement in migration.statements {
                    _ = try await connection.query(statement, [])
                }
                _ = try await connection.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
                    [.integer(migration.version), .text(migration.name), .text(MigrationChecksum.of(migration.sql))])
                return true
            }
            guard applied else { continue }
            appliedNow.append(migration.version)
            logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
        }
        return appliedNow
    }

    public func appliedMigrations() async throws -> [AppliedMigration] {
        let exists = try await run(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
        guard !exists.isEmpty else { return [] }
        return try await run("SELECT version, name, checksum FROM schema_migrations ORDER BY version").map { row in
            AppliedMigration(
                version: row.column("version")?.integer ?? 0,
                name: row.column("name")?.string ?? "",
                checksum: row.column("checksum")?.string ?? "")
        }
    }

    public func ping() async throws {
        _ = try await run("SELECT 1")
    }
}
