import Logging
import OrchestratorPorts

extension SQLStore {
    /// Migrations may legitimately run for minutes (index builds); they get their own bound.
    static var migrationTimeout: Duration { .seconds(600) }

    /// Each migration runs in its own transaction that first takes the migrations lock and
    /// re-checks the history, so concurrent replicas never apply one twice; the lock is
    /// released by COMMIT/ROLLBACK even if this task is cancelled.
    public func migrate(_ migrations: [Migration]) async throws -> [Int] {
        try await ping()  // an unreachable server fails within the query timeout, not the migration one
        try await transaction(timeout: Self.migrationTimeout) { [dialect] session in
            try await session.lock("schema_migrations")
            try await session.execute(dialect.createMigrationsTable)
        }
        let pending = try MigrationPlan.pending(available: migrations, applied: try await appliedMigrations())
        var appliedNow: [Int] = []
        for migration in pending {
            let applied = try await transaction(timeout: Self.migrationTimeout) { session -> Bool in
                try await session.lock("schema_migrations")
                let exists = try await session.query("SELECT 1 FROM schema_migrations WHERE version = $1", [.integer(migration.version)])
                guard exists.isEmpty else { return false }  // another replica applied it meanwhile
                for statement in migration.statements { try await session.execute(statement) }
                try await session.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
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
        let exists = try await query(dialect.migrationsTableExists)
        guard try exists.first?.bool("present") == true else { return [] }
        let rows = try await query("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
        return try decode(rows, table: "schema_migrations", key: ["version"]) { row in
            AppliedMigration(version: try row.int("version"), name: try row.text("name"), checksum: try row.text("checksum"))
        }
    }

    public func ping() async throws {
        try await query("SELECT 1")
    }
}
