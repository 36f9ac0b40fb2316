import Logging
import OrchestratorDomain
import OrchestratorPorts

/// The audit-log use cases: reading the append-only log, and recording the
/// events of actions that have no use case of their own (minting tokens).
public struct AuditLog: Sendable {
    let store: any MetadataStore
    let now: @Sendable () -> Double

    public init(store: any MetadataStore, now: @escaping @Sendable () -> Double) {
        self.store = store
        self.now = now
    }

    /// One page of audit events, newest first, filtered by `query`.
    public func events(_ query: AuditQuery) async throws -> Page<StoredAuditEvent, Int64> {
        try await store.auditEvents(query)
    }
}
