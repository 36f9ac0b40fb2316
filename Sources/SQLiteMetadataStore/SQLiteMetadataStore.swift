import Foundation
import Logging
import NIOCore
import NIOPosix
import OrchestratorDomain
import OrchestratorPorts
import SQLiteNIO
import ServiceLifecycle

/// The embedded metadata store: one SQLite file under the data dir.
///
/// SQLiteNIO runs every libsqlite3 call on `NIOThreadPool`, never on an
/// event loop. A single connection is shared and serialized by an
/// ``AsyncMutex`` so transactions never interleave. It is a `Service` that
/// closes the connection at shutdown; WAL mode lets external
/// readers (backups, `sqlite3`) see a consistent file meanwhile.
public final class SQLiteMetadataStore: MetadataStore, Service {
    public let healthName = "sqlite"
    let connection: SQLiteConnection
    let mutex = AsyncMutex()
    let logger: Logger

    private init(connection: SQLiteConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Opens (creating if needed) the database at `path`. Pass `nil` for a private in-memory database.
    public static func open(path: String?, logger: Logger) async throws -> SQLiteMetadataStore {
        if let path {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
        }
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: path.map { .file(path: $0) } ?? .memory, logger: logger)
        } catch {
            throw DependencyUnavailableError(dependency: "sqlite", reason: "open failed: \(error)")
        }
        let store = SQLiteMetadataStore(connection: connection, logger: logger)
        if path != nil {
            _ = try await connection.query("PRAGMA journal_mode=WAL", [])
        }
        _ = try await connection.query("PRAGMA busy_timeout=5000", [])
        _ = try await connection.query("PRAGMA foreign_keys=ON", [])
        return store
    }

    /// Closes the connection; the store cannot be used afterwards.
    public func close() async throws {
        try await mutex.withLock { try await self.connection.close() }
    }

    /// Keeps the connection open until graceful shutdown (or cancellation), then closes it.
    public func run() async throws {
        try? await gracefulShutdown()
        try await close()
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back on any error.
    func transaction<T: Sendable>(_ body: @Sendable @escaping (SQLiteConnection) async throws -> T) async throws -> T {
        try await Self.classifyingBusy {
            try await mutex.withLock {
                _ = try await self.connection.query("BEGIN IMMEDIATE", [])
                do {
                    let result = try await body(self.connection)
                    _ = try await self.connection.query("COMMIT", [])
                    return result
                } catch {
                    _ = try? await self.connection.query("ROLLBACK", [])
                    throw error
                }
            }
        }
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

    /// Runs one statement outside an explicit transaction.
    func run(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        try await Self.classifyingBusy { try await mutex.withLock { try await self.connection.query(sql, binds) } }
    }
}
