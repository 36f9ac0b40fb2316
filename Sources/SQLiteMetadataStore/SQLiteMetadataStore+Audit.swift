import OrchestratorDomain
import OrchestratorPorts
import SQLiteNIO

extension SQLiteMetadataStore {
    public func appendAudit(_ event: AuditEvent) async throws {
        _ = try await run(
            """
            INSERT INTO audit_events (actor, action, target, outcome, request_id, occurred_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [
                .text(event.actor), .text(event.action), .text(event.target), .text(event.outcome.rawValue),
                event.requestID.map { .text($0) } ?? .null, .float(event.occurredAt),
            ])
    }

    public func recentAudit(limit: Int) async throws -> [AuditEvent] {
        try await run(
            """
            SELECT actor, action, target, outcome, request_id, occurred_at
            FROM audit_events ORDER BY occurred_at DESC, id DESC LIMIT ?
            """,
            [.integer(max(0, limit))]
        ).map { row in
            AuditEvent(
                actor: row.column("actor")?.string ?? "",
                action: row.column("action")?.string ?? "",
                target: row.column("target")?.string ?? "",
                outcome: AuditEvent.Outcome(rawValue: row.column("outcome")?.string ?? "") ?? .failure,
                requestID: row.column("request_id")?.string,
                occurredAt: row.column("occurred_at")?.double ?? 0)
        }
    }
}
