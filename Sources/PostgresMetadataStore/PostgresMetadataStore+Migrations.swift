import Logging
import OrchestratorPorts
import PostgresNIO

extension PostgresMetadataStore {
    /// A fixed advisory-lock key so that replicas starting together migrate one at a time.
    static let migrationLockKey: Int64 = 0x5741_534D_4F52_4348  // "WASMORCH"

    /// Migrations may legitimately run for minutes (index builds); they get their own bound.
    static let migrationTimeout: Duration = .seconds(600)

    /// Each migration runs in its own transaction that first takes a transaction-scoped
    /// advisory lock and re-checks the history, so concurrent replicas never apply one twice
    /// and the lock is released by COMMIT/ROLLBACK even if this task is cancelled.
    public func migrate(_ migrations: [Migration]) async throws -> [Int] {
        try await ping()  // an unreachable server fails within the query timeout, not the migration one
        let logger = self.logger
        return try await guarded(timeout: Self.migrationTimeout) { [client] in
            try await client.withConnection { connection in
                try await connection.withTransaction(logger: logger) { transaction in
                    try await transaction.query("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", logger: logger)
                    try await transaction.query("""
                        CREATE TABLE IF NOT EXISTS schema_migrations (
                            version INTEGER PRIMARY KEY,
                            name TEXT NOT NULL,
                            checksum TEXT NOT NULL,
                            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                        )
                        """, logger: logger)
                }
                let pending = try MigrationPlan.pending(available: migrations, applied: try await Self.applied(on: connection, logger: logger))
                var appliedNow: [Int] = []
                for migration in pending {
                    let applied = try await connection.withTransaction(logger: logger) { transaction -> Bool in
                        try await transaction.query("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", logger: logger)
                        let exists = try await transaction.query(
                            "SELECT 1 FROM schema_migrations WHERE version = \(migration.version)", logger: logger
                        ).collect()
                        guard exists.isEmpty else { return false }  // another replica applied it meanwhile
                        for statement in migration.statements {
                            try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        let checksum = MigrationChecksum.of(migration.sql)
                        try await transaction.query(
                            "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(checksum))",
                            logger: logger)
                        return true
                    }
                    if applied {
                        appliedNow.append(migration.version)
                        logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                    }
                }
                return appliedNow
            }
        }
    }

    public func appliedMigrations() async throws -> [AppliedMigration] {
        let logger = self.logger
        return try await guarded { [client] in
            try await client.withConnection { connection in
                let exists = try await connection.query(
                    "SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger
                ).collect().first?.decode(Bool.self) ?? false
                guard exists else { return [] }
                return try await Self.applied(on: connection, logger: logger)
            }
        }
    }

    static func applied(on connection: PostgresConnection, logger: Logger) async throws -> [AppliedMigration] {
        var result: [AppliedMigration] = []
        let rows = try await connection.query(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version", logger: logger)
        for try await (version, name, checksum) in rows.decode((Int, String, String).self) {
            result.append(AppliedMigration(version: version, name: name, checksum: checksum))
        }
        return result
    }

    public func ping() async throws {
        let logger = self.logger
        try await guarded { [client] in
            _ = try await client.query("SELECT 1", logger: logger).collect()
        }
    }
}
