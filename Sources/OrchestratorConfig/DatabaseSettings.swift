/// Metadata store settings: PostgreSQL when `database.url` is set, else embedded SQLite.
public struct DatabaseSettings: Sendable {
    /// `database.url` — `postgres://user:password@host:5432/db[?sslmode=require]`. Unset: SQLite.
    public var postgresURL: String?
    /// The SQLite file used when no URL is set: `<data.dir>/orchestrator.sqlite`.
    public var sqlitePath: String
    /// `database.migrateOnStart` — apply pending migrations before serving. Default `true`.
    public var migrateOnStart: Bool
    /// `database.poolSize` — maximum PostgreSQL connections per replica. Default 10.
    public var poolSize: Int
    /// `database.connectRetryMaxSeconds` — cap of the start-up retry backoff. Default 30.
    public var connectRetryMaxSeconds: Int

    init(_ values: ConfigValues, dataDirectory: String) throws {
        postgresURL = values.string("database.url", secret: true)
        if let url = postgresURL, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            throw ConfigurationError(key: "database.url", problem: "must start with postgres:// or postgresql://")
        }
        sqlitePath = dataDirectory + "/orchestrator.sqlite"
        migrateOnStart = try values.bool("database.migrateOnStart", default: true)
        poolSize = try values.int("database.poolSize", default: 10, range: 1...200)
        connectRetryMaxSeconds = try values.int("database.connectRetryMaxSeconds", default: 30, range: 1...600)
    }
}
