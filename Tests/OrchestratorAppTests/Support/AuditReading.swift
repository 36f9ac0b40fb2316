import OrchestratorDomain
import OrchestratorPorts

extension MetadataStore {
    /// The newest `limit` audit events, newest first: a test reading through the production query
    /// (`auditEvents`, ordered by id), now that no production code needs a separate `recentAudit`.
    func recentAudit(limit: Int) async throws -> [AuditEvent] {
        guard limit > 0 else { return [] }
        return try await auditEvents(AuditQuery(limit: limit)).items.map(\.event)
    }
}
