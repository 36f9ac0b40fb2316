import Logging
import OrchestratorDomain
import OrchestratorPorts
import PostgresNIO
import ServiceLifecycle

/// The production metadata store on PostgreSQL, through PostgresNIO's pooled `PostgresClient`.
///
/// The client must be running (it is a `Service` in the server's
/// `ServiceGroup`). Every call is bounded by `queryTimeout`, and connection
/// or timeout failures surface as ``DependencyUnavailableError`` so the API
/// answers 503 rather than hanging or leaking driver text.
public struct PostgresMetadataStore: MetadataStore {
    public let healthName = "postgresql"
    /// The pooled client; run it in a `ServiceGroup` (or a task) before use.
    public let client: PostgresClient
    let logger: Logger
    let queryTimeout: Duration

    public init(client: PostgresClient, logger: Logger, queryTimeout: Duration = .seconds(5)) {
        self.client = client
        self.logger = logger
        self.queryTimeout = queryTimeout
    }

    /// Runs `operation` under the deadline (default `queryTimeout`), translating transport failures.
    func guarded<T: Sendable>(timeout: Duration? = nil, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let limit = timeout ?? queryTimeout
        do {
            return try await withDeadline(limit, operation: operation)
        } catch is DeadlineExceededError {
            throw DependencyUnavailableError(dependency: healthName, reason: "no answer within \(limit)")
        } catch let error as PSQLError where !Self.isTransportFailure(error) {
            logSQLError(error)
            throw error  // a real SQL error: the caller's or ours, not an outage
        } catch let error as MigrationError {
            throw error
        } catch let error as PostgresTransactionError where error.closureError != nil && error.beginError == nil && error.commitError == nil {
            // The transaction's own work failed: a real SQL error or a domain error thrown inside
            // it propagates as itself; only a transport failure inside it is an outage.
            guard let inner = error.closureError else { throw error }
            if let psql = inner as? PSQLError {
                if Self.isTransportFailure(psql) { throw DependencyUnavailableError(dependency: healthName, reason: String(reflecting: psql)) }
                logSQLError(psql)
            }
            throw inner
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // Transport failures, pool errors (e.g. the connection circuit breaker) and timeouts.
            throw DependencyUnavailableError(dependency: healthName, reason: String(reflecting: error))
        }
    }

    /// `PSQLError`'s description is deliberately generic; the SQLSTATE and the server's
    /// message are what an operator needs, so they are logged here (never sent to clients).
    /// Unique violations (23505) are expected conflicts and are logged at debug level only.
    func logSQLError(_ error: PSQLError) {
        let state = error.serverInfo?[.sqlState] ?? "?"
        let metadata: Logger.Metadata = [
            "sqlstate": .string(state), "message": .string(error.serverInfo?[.message] ?? "?"),
            "detail": .string(error.serverInfo?[.detail] ?? ""),
        ]
        logger.log(level: state == "23505" ? .debug : .warning, "PostgreSQL refused a statement", metadata: metadata)
    }

    /// A `PSQLError` without server information never reached PostgreSQL's
    /// SQL layer (connection refused, closed, pool shut down): the dependency
    /// is unavailable. Errors with server information are real SQL errors.
    static func isTransportFailure(_ error: PSQLError) -> Bool {
        error.serverInfo == nil
    }
}
