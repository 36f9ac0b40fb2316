import OrchestratorDomain
import OrchestratorPorts
import SQLiteNIO

extension SQLiteMetadataStore {
    public func appendAudit(_ event: AuditEvent) async throws {
        _ = try await run(
            """
            INSERT INTO audit_events (actor, action, target, outcome, request_id, occurred_at, actor_role, source_address, actor_chain)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(event.actor), .text(event.action), .text(event.target), .text(event.outcome.rawValue),
                Self.optional(event.requestID), .float(event.occurredAt), Self.optional(event.role), Self.optional(event.sourceAddress),
                Self.optional(AuditActors.encode(event.actors)),
            ])
    }

    public func recentAudit(limit: Int) async throws -> [AuditEvent] {
        try await run(
            """
            SELECT \(Self.auditColumns)
            FROM audit_events ORDER BY occurred_at DESC, id DESC LIMIT ?
            """,
            [.integer(max(0, limit))]
        ).map { Self.auditEvent($0).event }
    }

    public func auditEvents(_ query: AuditQuery) async throws -> Page<StoredAuditEvent, Int64> {
        let action = query.actionMatch
        let rows = try await run(
            """
            SELECT \(Self.auditColumns) FROM audit_events
            WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR target = ?2) AND (?3 IS NULL OR outcome = ?3)
              AND (?4 IS NULL OR occurred_at >= ?4) AND (?5 IS NULL OR occurred_at < ?5) AND (?6 IS NULL OR id < ?6)
              AND (?7 IS NULL OR (CASE WHEN ?8 = 1 THEN substr(action, 1, length(?7)) = ?7 ELSE action = ?7 END))
            ORDER BY id DESC LIMIT ?9
            """,
            [Self.optional(query.actor), Self.optional(query.target), Self.optional(query.outcome?.rawValue),
             query.since.map { .float($0) } ?? .null, query.until.map { .float($0) } ?? .null,
             query.beforeID.map { .integer(Int($0)) } ?? .null, Self.optional(action?.value), .integer(action?.isPrefix == true ? 1 : 0),
             .integer(query.limit + 1)])
        let events = rows.map(Self.auditEvent)
        let page = Array(events.prefix(query.limit))
        return Page(items: page, next: events.count > query.limit ? page.last?.id : nil)
    }

    static let auditColumns = "id, actor, action, target, outcome, request_id, occurred_at, actor_role, source_address, actor_chain"

    static func auditEvent(_ row: SQLiteRow) -> StoredAuditEvent {
        StoredAuditEvent(
            id: Int64(row.column("id")?.integer ?? 0),
            event: AuditEvent(
                actor: row.column("actor")?.string ?? "",
                action: row.column("action")?.string ?? "",
                target: row.column("target")?.string ?? "",
                outcome: AuditEvent.Outcome(rawValue: row.column("outcome")?.string ?? "") ?? .failure,
                requestID: row.column("request_id")?.string,
                occurredAt: row.column("occurred_at")?.double ?? 0,
                role: row.column("actor_role")?.string,
                sourceAddress: row.column("source_address")?.string,
                actors: AuditActors.decode(row.column("actor_chain")?.string)))
    }
}
