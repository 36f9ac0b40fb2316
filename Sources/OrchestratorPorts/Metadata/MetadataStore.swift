import OrchestratorDomain

/// The durable metadata store: PostgreSQL in production, SQLite embedded.
///
/// Every implementation runs the same contract suite (`IntegrationTests`).
public protocol MetadataStore: ModuleCatalog, NodeStore, DeploymentStore, ReleaseStore, IdempotencyStore, LeaderElection, RevocationStore {
    /// The name this store reports under `/health/ready` (`postgresql` or `sqlite`).
    var healthName: String { get }

    /// Applies every migration not yet recorded, each in its own transaction,
    /// in version order. Returns the versions applied by this call.
    ///
    /// Fails with ``MigrationError/checksumMismatch(version:name:)`` when an
    /// already applied migration's text has changed.
    func migrate(_ migrations: [Migration]) async throws -> [Int]

    /// The migrations recorded as applied, in version order.
    func appliedMigrations() async throws -> [AppliedMigration]

    /// A cheap round trip proving the store answers.
    func ping() async throws

    /// Records one audit event.
    func appendAudit(_ event: AuditEvent) async throws

    /// Audit events matching `query`, newest first; the page position is the last id.
    func auditEvents(_ query: AuditQuery) async throws -> Page<StoredAuditEvent, Int64>
}
