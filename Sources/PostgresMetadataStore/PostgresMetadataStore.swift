import Foundation
import Logging
import OrchestratorDomain
import OrchestratorPorts
import PostgresNIO
import SQLMetadataStore

/// The production metadata store on PostgreSQL, through PostgresNIO's pooled `PostgresClient`.
/// Every query is the shared ``SQLStore``'s; this type supplies pooled sessions, transactions,
/// `unnest` bulk writes, advisory locks and leadership.
///
/// The client must be running (it is a `Service` in the server's `ServiceGroup`). Every call is
/// bounded by `queryTimeout`, and connection or timeout failures surface as
/// ``DependencyUnavailableError`` so the API answers 503 rather than hanging or leaking driver text.
public struct PostgresMetadataStore: SQLStore {
    public let healthName = "postgresql"
    /// The pooled client; run it in a `ServiceGroup` (or a task) before use.
    public let client: PostgresClient
    public let logger: Logger
    let queryTimeout: Duration
    public let dialect = SQLDialect(
        byteOrder: " COLLATE \"C\"", forUpdate: " FOR UPDATE", deploymentPosition: "seq",
        createMigrationsTable: SQLDialect.migrationsTable(appliedAt: "TIMESTAMPTZ NOT NULL DEFAULT now()"),
        migrationsTableExists: "SELECT to_regclass('schema_migrations') IS NOT NULL AS present", inList: { "= ANY(\($0))" })

    public init(client: PostgresClient, logger: Logger, queryTimeout: Duration = .seconds(5)) {
        self.client = client
        self.logger = logger
        self.queryTimeout = queryTimeout
    }

    public func transaction<T: Sendable>(
        timeout: Duration?, _ body: @escaping @Sendable (any SQLSession) async throws -> T
    ) async throws -> T {
        try await guarded(timeout: timeout) { [client, logger] in
            try await client.withTransaction(logger: logger) { connection in
                try await body(PostgresSession(logger: logger) { try await connection.query($0, logger: logger) })
            }
        }
    }

    public func statements<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> T) async throws -> T {
        try await guarded { [client, logger] in
            try await body(PostgresSession(logger: logger) { try await client.query($0, logger: logger) })
        }
    }

    /// Runs `operation` under the deadline (default `queryTimeout`), translating transport failures.
    func guarded<T: Sendable>(timeout: Duration? = nil, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let limit = timeout ?? queryTimeout
        do {
            return try await withDeadline(limit, operation: operation)
        } catch is DeadlineExceededError {
            throw DependencyUnavailableError(dependency: healthName, reason: "no answer within \(limit)")
        } catch let error as PostgresTransactionError where error.closureError != nil && error.beginError == nil && error.commitError == nil {
            // The transaction's own work failed: a SQL or domain error propagates as itself.
            throw error.closureError ?? error
        } catch is CancellationError {
            throw CancellationError()
        } catch let error where Self.isOurs(error) {
            throw error
        } catch {
            // Transport failures, pool errors (e.g. the connection circuit breaker) and timeouts.
            throw DependencyUnavailableError(dependency: healthName, reason: String(reflecting: error))
        }
    }

    /// Errors that are already classified: refused statements, unreadable rows, migrations, outages.
    static func isOurs(_ error: any Error) -> Bool {
        error is PSQLError || error is SQLUniqueViolation || error is CorruptRowError || error is MigrationError
            || error is DependencyUnavailableError
    }

    // MARK: Leadership

    /// A session-level advisory lock held on one pooled connection for as long
    /// as `body` runs. If that connection dies, PostgreSQL releases the lock
    /// and `stillLeader` (a query on the same connection) throws.
    public func whileLeader(
        _ name: String, _ body: @escaping @Sendable (_ stillLeader: @escaping @Sendable () async throws -> Void) async throws -> Void
    ) async throws -> Bool {
        let logger = self.logger
        let key = "leader:" + name
        do {
            return try await client.withConnection { connection in
                let rows = try await connection.query("SELECT pg_try_advisory_lock(hashtextextended(\(key), 0))", logger: logger)
                var acquired = false
                for try await value in rows.decode(Bool.self) { acquired = value }
                guard acquired else { return false }
                let unlock: PostgresQuery = "SELECT pg_advisory_unlock(hashtextextended(\(key), 0))"
                do {
                    try await body { try await connection.query("SELECT 1", logger: logger) }
                } catch {
                    _ = try? await connection.query(unlock, logger: logger)
                    throw error
                }
                _ = try? await connection.query(unlock, logger: logger)
                return true
            }
        } catch let error as PSQLError where error.serverInfo == nil {
            throw DependencyUnavailableError(dependency: healthName, reason: String(reflecting: error))
        }
    }
}
