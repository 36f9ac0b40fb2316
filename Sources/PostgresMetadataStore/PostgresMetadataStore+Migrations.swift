import Logging
import OrchestratorPorts
import PostgresNIO

extension PostgresMetadataStore {
    /// A fixed advisory-lock key so that replicas starting together migrate one at a time.
    static let migrationLockKey: Int64 = 0x5741_534D_4F52_4348  // "WASMORCH"

    public func migrate(_ migrations: [Migration]) async throws -> [Int] {
        let logger = self.logger
        return try await guarded { [client] in
            try await client.withConnection { connection in
                try await connection.query("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        checksum TEXT NOT NULL,
                        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                    )
                    """, logger: logger)
                try await connection.query("SELECT pg_advisory_lock(\(Self.migrationLockKey))", logger: logger)
                do {
                    let applied = try await Self.applied(on: connection, logger: logger)
                    let pending = try MigrationPlan.pending(available: migrations, applied: applied)
                    for migration in pending {
                        try await connection.withTransaction(logger: logger) { transaction in
                            for statement in migration.statements {
                                try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                            }
                            let checksum = MigrationChecksum.of(migration.sql)
                            try await transaction.query(
                                "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(checksum))",
                                logger: logger)
                        }
                        logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                    }
                    try await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLockKey))", logger: logger)
                    return pending.map(\.version)
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLockKey))", logger: logger)
                    throw error
                }
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
