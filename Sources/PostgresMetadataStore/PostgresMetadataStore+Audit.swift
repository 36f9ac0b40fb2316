import Logging
import OrchestratorDomain
import OrchestratorPorts
import PostgresNIO

extension PostgresMetadataStore {
    public func appendAudit(_ event: AuditEvent) async throws {
        let logger = self.logger
        try await guarded { [client] in
            try await client.query(
                """
                INSERT INTO audit_events (actor, action, target, outcome, request_id, occurred_at, actor_role, source_address, actor_chain)
                VALUES (\(event.actor), \(event.action), \(event.target), \(event.outcome.rawValue), \(event.requestID), \(event.occurredAt),
                        \(event.role), \(event.sourceAddress), \(AuditActors.encode(event.actors)))
                """,
                logger: logger)
        }
    }

    public func recentAudit(limit: Int) async throws -> [AuditEvent] {
        try await read { client, logger in
            let rows = try await client.query(
                "SELECT \(unescaped: Self.auditColumns) FROM audit_events ORDER BY occurred_at DESC, id DESC LIMIT \(max(0, limit))",
                logger: logger)
            return try await Self.auditEvents(rows).map(\.event)
        }
    }

    public func auditEvents(_ query: AuditQuery) async throws -> Page<StoredAuditEvent, Int64> {
        let action = query.actionMatch
        let prefix = action?.isPrefix == true
        return try await read { client, logger in
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.auditColumns) FROM audit_events
                WHERE (\(query.actor)::text IS NULL OR actor = \(query.actor))
                  AND (\(query.target)::text IS NULL OR target = \(query.target))
                  AND (\(query.outcome?.rawValue)::text IS NULL OR outcome = \(query.outcome?.rawValue))
                  AND (\(query.since)::float8 IS NULL OR occurred_at >= \(query.since))
                  AND (\(query.until)::float8 IS NULL OR occurred_at < \(query.until))
                  AND (\(query.beforeID)::int8 IS NULL OR id < \(query.beforeID))
                  AND (\(action?.value)::text IS NULL
                       OR (\(prefix) AND left(action, length(\(action?.value))) = \(action?.value))
                       OR (NOT \(prefix) AND action = \(action?.value)))
                ORDER BY id DESC LIMIT \(query.limit + 1)
                """,
                logger: logger)
            let events = try await Self.auditEvents(rows)
            let page = Array(events.prefix(query.limit))
            return Page(items: page, next: events.count > query.limit ? page.last?.id : nil)
        }
    }

    static let auditColumns = "id, actor, action, target, outcome, request_id, occurred_at, actor_role, source_address, actor_chain"

    static func auditEvents(_ rows: PostgresRowSequence) async throws -> [StoredAuditEvent] {
        var events: [StoredAuditEvent] = []
        for try await (id, actor, action, target, outcome, requestID, occurredAt, role, source, chain) in rows.decode(
            (Int64, String, String, String, String, String?, Double, String?, String?, String?).self)
        {
            events.append(StoredAuditEvent(id: id, event: AuditEvent(
                actor: actor, action: action, target: target, outcome: AuditEvent.Outcome(rawValue: outcome) ?? .failure,
                requestID: requestID, occurredAt: occurredAt, role: role, sourceAddress: source, actors: AuditActors.decode(chain))))
        }
        return events
    }
}
