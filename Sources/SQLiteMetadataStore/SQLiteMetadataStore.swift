import Foundation
import Logging
import NIOCore
import NIOPosix
import OrchestratorDomain
import OrchestratorPorts
import SQLMetadataStore
import SQLiteNIO
import ServiceLifecycle

/// The embedded metadata store: one SQLite file under the data dir. Every query is the shared
/// ``SQLStore``'s; this type supplies the connection, its PRAGMAs and the single-writer mutex.
///
/// SQLiteNIO runs every libsqlite3 call on `NIOThreadPool`, never on an
/// event loop. A single connection is shared and serialized by an
/// ``AsyncMutex`` so transactions never interleave. It is a `Service` that
/// closes the connection at shutdown; WAL mode lets external
/// readers (backups, `sqlite3`) see a consistent file meanwhile.
public final class SQLiteMetadataStore: SQLStore, Service {
    public let healthName = "sqlite"
    let connection: SQLiteConnection
    let mutex = AsyncMutex()
    public let logger: Logger
    public let dialect = SQLDialect(
        byteOrder: "", forUpdate: "", deploymentPosition: "rowid",
        createMigrationsTable: SQLDialect.migrationsTable(appliedAt: "TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"),
        migrationsTableExists: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations') AS present",
        inList: { "IN (SELECT value FROM json_each(\($0)))" })

    private init(connection: SQLiteConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Opens (creating if needed) the database at `path`. Pass `nil` for a private in-memory database.
    public static func open(path: String?, logger: Logger) async throws -> SQLiteMetadataStore {
        if let directory = path.map({ ($0 as NSString).deletingLastPathComponent }), !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: path.map { .file(path: $0) } ?? .memory, logger: logger)
        } catch {
            throw DependencyUnavailableError(dependency: "sqlite", reason: "open failed: \(error)")
        }
        let store = SQLiteMetadataStore(connection: connection, logger: logger)
        // WAL only for a file (an in-memory database has no journal to share).
        for pragma in (path == nil ? [] : ["journal_mode=WAL"]) + ["busy_timeout=5000", "foreign_keys=ON"] {
            _ = try await connection.query("PRAGMA " + pragma, [])
        }
        return store
    }

    /// Closes the connection; the store cannot be used afterwards.
    public func close() async throws {
        try await mutex.withLock { try await self.connection.close() }
    }

    /// Keeps the connection open until graceful shutdown (or cancellation), then closes it.
    ///
    /// The close runs in its own task: when the service group is cancelled rather than shut down gracefully (a test
    /// that throws, a second signal), SQLiteNIO's thread pool refuses work from a cancelled task, the connection would
    /// stay open, and its `deinit` traps in a debug build (and leaks the handle in a release one).
    public func run() async throws {
        try? await gracefulShutdown()
        try await Task { try await self.close() }.value
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT` under the mutex, rolling back on any error.
    public func transaction<T: Sendable>(
        timeout: Duration?, _ body: @escaping @Sendable (any SQLSession) async throws -> T
    ) async throws -> T {
        try await Self.classifyingBusy {
            try await mutex.withLock {
                _ = try await self.connection.query("BEGIN IMMEDIATE", [])
                do {
                    let result = try await body(SQLiteSession(connection: self.connection))
                    _ = try await self.connection.query("COMMIT", [])
                    return result
                } catch {
                    _ = try? await self.connection.query("ROLLBACK", [])
                    throw error
                }
            }
        }
    }

    public func statements<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> T) async throws -> T {
        try await Self.classifyingBusy { try await mutex.withLock { try await body(SQLiteSession(connection: self.connection)) } }
    }

    /// One process owns an SQLite file, so it is always the leader.
    public func whileLeader(
        _ name: String, _ body: @escaping @Sendable (_ stillLeader: @escaping @Sendable () async throws -> Void) async throws -> Void
    ) async throws -> Bool {
        try await body({})
        return true
    }

    /// A database another process keeps locked past `busy_timeout` is unavailable for now
    /// (503 with `Retry-After`, and batches kept for the next flush), not a refusal of the data.
    static func classifyingBusy<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SQLiteError where [.busy, .locked, .busyTimeout, .busyInSnapshot, .busyInRecovery].contains(error.reason) {
            throw DependencyUnavailableError(dependency: "sqlite", reason: "database is locked: \(error.message)")
        }
    }

    /// Runs one raw statement outside an explicit transaction (tests reach the file through it).
    func run(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        try await Self.classifyingBusy { try await mutex.withLock { try await self.connection.query(sql, binds) } }
    }
}
