import OrchestratorDomain
import OrchestratorPorts

extension SQLStore {
    public func appendAudit(_ event: AuditEvent) async throws {
        try await statements { try await Self.insertAudit(event, on: $0) }
    }

    public func auditEvents(_ query: AuditQuery) async throws -> Page<StoredAuditEvent, Int64> {
        let action = query.actionMatch
        let rows = try await self.query(
            """
            SELECT \(Self.auditColumns) FROM audit_events
            WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR target = $2) AND ($3 IS NULL OR outcome = $3)
              AND ($4 IS NULL OR occurred_at >= $4) AND ($5 IS NULL OR occurred_at < $5) AND ($6 IS NULL OR id < $6)
              AND ($7 IS NULL OR (CASE WHEN $8 = 1 THEN substr(action, 1, length($7)) = $7 ELSE action = $7 END))
            ORDER BY id DESC LIMIT $9
            """,
            [
                .text(query.actor), .text(query.target), .text(query.outcome?.rawValue), .timestamp(query.since), .timestamp(query.until),
                .integer(query.beforeID.map(Int.init)), .text(action?.value), .integer(action?.isPrefix == true ? 1 : 0),
                .integer(query.limit + 1),
            ])
        return page(try auditEvents(rows).map { ($0.id, $0) }, limit: query.limit)
    }

    static var auditColumns: String {
        "id, actor, action, target, outcome, request_id, occurred_at, actor_role, source_address, actor_chain"
    }

    func auditEvents(_ rows: [SQLRow]) throws -> [StoredAuditEvent] {
        try decode(rows, table: "audit_events", key: ["id"]) { row in
            StoredAuditEvent(
                id: Int64(try row.int("id")),
                event: AuditEvent(
                    actor: try row.text("actor"), action: try row.text("action"), target: try row.text("target"),
                    outcome: try row.value(AuditEvent.Outcome.self, "outcome"), requestID: try row.optionalText("request_id"),
                    occurredAt: try row.timestamp("occurred_at"), role: try row.optionalText("actor_role"),
                    sourceAddress: try row.optionalText("source_address"), actors: try row.optionalJSON([String].self, "actor_chain") ?? []))
        }
    }

    /// Runs `statement` and, when it returns a row, the `then` statements (bound to its `$1`) and the `audit`
    /// events, in one transaction. Returns whether `statement` returned a row (`… RETURNING` what it wrote or deleted).
    @discardableResult
    func audited(_ statement: String, _ binds: [SQLValue], then: [String] = [], audit: [AuditEvent]) async throws -> Bool {
        try await transaction { session in
            guard try await !session.query(statement, binds).isEmpty else { return false }
            for sql in then { try await session.query(sql, [binds[0]]) }
            for event in audit { try await Self.insertAudit(event, on: session) }
            return true
        }
    }

    static func insertAudit(_ event: AuditEvent, on session: any SQLSession) async throws {
        try await session.query(
            """
            INSERT INTO audit_events (actor, action, target, outcome, request_id, occurred_at, actor_role, source_address, actor_chain)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """,
            [
                .text(event.actor), .text(event.action), .text(event.target), .text(event.outcome), .text(event.requestID),
                .timestamp(event.occurredAt), .text(event.role), .text(event.sourceAddress), .text(AuditActors.encode(event.actors)),
            ])
    }
}
