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
                INSERT INTO audit_events (actor, action, target, outcome, request_id, occurred_at)
                VALUES (\(event.actor), \(event.action), \(event.target), \(event.outcome.rawValue), \(event.requestID), \(event.occurredAt))
                """,
                logger: logger)
        }
    }

    public func recentAudit(limit: Int) async throws -> [AuditEvent] {
        let logger = self.logger
        return try await guarded { [client] in
            let rows = try await client.query(
                """
                SELECT actor, action, target, outcome, request_id, occurred_at
                FROM audit_events ORDER BY occurred_at DESC, id DESC LIMIT \(max(0, limit))
                """,
                logger: logger)
            var events: [AuditEvent] = []
            for try await (actor, action, target, outcome, requestID, occurredAt) in rows.decode(
                (String, String, String, String, String?, Double).self)
            {
                events.append(AuditEvent(
                    actor: actor, action: action, target: target,
                    outcome: AuditEvent.Outcome(rawValue: outcome) ?? .failure,
                    requestID: requestID, occurredAt: occurredAt))
            }
            return events
        }
    }
}
