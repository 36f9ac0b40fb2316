import Logging
import OrchestratorPorts
import ServiceLifecycle

/// Applies pending migrations as soon as the metadata store answers.
///
/// While the database is unreachable it retries with capped exponential
/// backoff, logging the reason each time, so the process never crash-loops
/// and `/health/ready` can say which dependency is down. Once migrated it
/// opens the ``SchemaGate`` and waits for shutdown.
public struct MigrationService: Service {
    let store: any MetadataStore
    let migrations: [Migration]
    let gate: SchemaGate
    let maxBackoff: Duration
    /// `database.migrateOnStart`: apply pending migrations, or only wait until someone
    /// (`wasm-orchestrator migrate`, e.g. a Kubernetes Job) has applied them.
    let applyPending: Bool
    let logger: Logger

    public init(
        store: any MetadataStore, migrations: [Migration], gate: SchemaGate, maxBackoff: Duration,
        applyPending: Bool = true, logger: Logger
    ) {
        self.store = store
        self.migrations = migrations
        self.gate = gate
        self.maxBackoff = maxBackoff
        self.applyPending = applyPending
        self.logger = logger
    }

    public func run() async throws {
        var backoff: Duration = .milliseconds(250)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if applyPending {
                    let applied = try await store.migrate(migrations)
                    logger.info("schema is current", metadata: ["store": "\(store.healthName)", "applied": "\(applied)"])
                    gate.open()
                    break
                }
                let pending = try MigrationPlan.pending(available: migrations, applied: try await store.appliedMigrations())
                if pending.isEmpty {
                    logger.info("schema is current", metadata: ["store": "\(store.healthName)"])
                    gate.open()
                    break
                }
                logger.error(
                    "migrations are pending and database.migrateOnStart is false; run `wasm-orchestrator migrate`",
                    metadata: ["pending": "\(pending.map(\.version))"])
            } catch let error as DependencyUnavailableError {
                logger.error(
                    "metadata store unreachable; retrying",
                    metadata: ["dependency": "\(error.dependency)", "reason": "\(error.reason)", "retryIn": "\(backoff)"])
            } catch let error as MigrationError {
                // A changed or malformed migration is an operator error: stop instead of serving a wrong schema.
                logger.critical("migrations refused", metadata: ["error": "\(error)"])
                throw error
            } catch {
                logger.error("migration failed; retrying", metadata: ["error": "\(String(reflecting: error))", "retryIn": "\(backoff)"])
            }
            let delay = backoff
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            backoff = min(backoff * 2, maxBackoff)
        }
        try? await gracefulShutdown()
    }
}
