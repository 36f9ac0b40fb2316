import Foundation
import Logging
import OrchestratorApp
import OrchestratorPorts
import PostgresMetadataStore
import PostgresNIO
import SQLiteMetadataStore

/// One database that outlives two server runs: a SQLite file in a data directory kept for the
/// whole test, or a throw-away PostgreSQL database (with the same data directory for file blobs).
struct UpgradeDatabase: Sendable {
    let backend: MetadataBackend
    let dataDirectory: String
    /// The PostgreSQL database's name; nil on SQLite.
    let postgresDatabase: String?

    /// Runs `body` with a fresh, empty database of `backend`, removed afterwards.
    static func with(_ backend: MetadataBackend, _ body: @Sendable (UpgradeDatabase) async throws -> Void) async throws {
        let dataDirectory = NSTemporaryDirectory() + uniqueName("upgrade")
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        switch backend {
        case .sqlite:
            try await body(UpgradeDatabase(backend: backend, dataDirectory: dataDirectory, postgresDatabase: nil))
        case .postgres:
            try await PostgresTestDatabase.withDatabase { name in
                try await body(UpgradeDatabase(backend: backend, dataDirectory: dataDirectory, postgresDatabase: name))
            }
        }
    }

    /// The server's configuration for this database (the rest are embedded defaults: in-process cache, file blobs).
    func environment() throws -> [String: String] {
        guard let postgresDatabase else { return [:] }
        return ["DATABASE_URL": try PostgresTestDatabase.url(database: postgresDatabase)]
    }

    /// Every bundled migration of this dialect.
    var bundledMigrations: [Migration] {
        get throws { try BundledResources.migrations(for: backend.dialect) }
    }

    /// PostgreSQL schemas before migration 0011 store timestamps as `DOUBLE PRECISION` seconds since 1970, which the
    /// release being upgraded from wrote; today's store binds `timestamptz`. For the fill on such a schema, an implicit
    /// cast turns each bound instant into those seconds (`extract(epoch …)`, exact to the microsecond), as the old
    /// release wrote them; `false` drops it before the upgrade, so the migrated schema runs without it. No-op on SQLite,
    /// whose timestamps stay REAL seconds.
    func writeEpochSeconds(_ enabled: Bool) async throws {
        guard postgresDatabase != nil, UpgradeTests.lastMigrationBeforeUpgrade < 11 else { return }
        let statements =
            enabled
            ? [
                """
                CREATE FUNCTION upgrade_epoch_seconds(timestamptz) RETURNS double precision
                    AS 'SELECT extract(epoch FROM $1)::double precision' LANGUAGE sql IMMUTABLE
                """,
                "CREATE CAST (timestamptz AS double precision) WITH FUNCTION upgrade_epoch_seconds(timestamptz) AS IMPLICIT",
            ]
            : ["DROP CAST (timestamptz AS double precision)", "DROP FUNCTION upgrade_epoch_seconds(timestamptz)"]
        try await withStore { try await NodeEnvironmentTests.execute(on: $0, statements) }
    }

    /// Runs `body` with a store on this database, closed afterwards.
    func withStore<T: Sendable>(_ body: @Sendable (any MetadataStore) async throws -> T) async throws -> T {
        let logger = Logger(label: "test.upgrade")
        guard let postgresDatabase else {
            return try await SQLiteMetadataStore.withOpened(path: dataDirectory + "/orchestrator.sqlite", logger: logger, body)
        }
        var configuration = try PostgresURL.configuration(from: try TestServices.require("TEST_POSTGRES_URL"))
        configuration.database = postgresDatabase
        return try await PostgresTestDatabase.withClient(configuration) { client in
            try await body(PostgresMetadataStore(client: client, logger: logger))
        }
    }
}
