/// What differs in the text of a statement between PostgreSQL and SQLite. Statements are
/// written once with `$n` placeholders and these fragments; the session rewrites the rest.
public struct SQLDialect: Sendable {
    /// `" COLLATE \"C\""` on PostgreSQL (byte order, like SQLite's default `BINARY`), empty on SQLite.
    public let byteOrder: String
    /// `" FOR UPDATE"` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already holds the only write lock.
    public let forUpdate: String
    /// The deployments' insertion position: the `seq` column on PostgreSQL, the implicit `rowid` on SQLite.
    public let deploymentPosition: String
    /// The `schema_migrations` table, whose `applied_at` default is dialect text.
    public let createMigrationsTable: String
    /// One row with one boolean column `present`: does `schema_migrations` exist?
    public let migrationsTableExists: String
    /// The membership test for a ``SQLValue/texts(_:)`` parameter, e.g. `isIn("$2")`: `= ANY($2)` on PostgreSQL,
    /// `IN (SELECT value FROM json_each($2))` on SQLite.
    public let isIn: @Sendable (String) -> String

    public init(
        byteOrder: String, forUpdate: String, deploymentPosition: String, createMigrationsTable: String,
        migrationsTableExists: String, inList: @escaping @Sendable (String) -> String
    ) {
        self.byteOrder = byteOrder
        self.forUpdate = forUpdate
        self.deploymentPosition = deploymentPosition
        self.createMigrationsTable = createMigrationsTable
        self.migrationsTableExists = migrationsTableExists
        self.isIn = inList
    }

    /// The migrations table, the same on both but for `applied_at`'s type and default.
    public static func migrationsTable(appliedAt: String) -> String {
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at \(appliedAt)
        )
        """
    }
}
