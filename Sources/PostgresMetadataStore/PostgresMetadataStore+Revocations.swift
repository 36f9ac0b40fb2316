import Logging
import OrchestratorDomain
import OrchestratorPorts
import PostgresNIO

/// Token revocations on PostgreSQL (`0009_token_revocations.sql`).
extension PostgresMetadataStore {
    public func revoke(_ revocation: TokenRevocation, audit: AuditEvent) async throws {
        try await transaction { connection, logger in
            try await connection.query(
                """
                INSERT INTO token_revocations (token_id, revoked_by, revoked_at, expires_at)
                VALUES (\(revocation.tokenID), \(revocation.revokedBy), \(revocation.revokedAt), \(revocation.expiresAt))
                ON CONFLICT (token_id) DO UPDATE SET expires_at = GREATEST(token_revocations.expires_at, EXCLUDED.expires_at)
                """,
                logger: logger)
            try await Self.insertAudit(audit, on: connection, logger: logger)
        }
    }

    public func revocations(activeAt now: Double) async throws -> [TokenRevocation] {
        try await read { client, logger in
            let rows = try await client.query(
                "SELECT token_id, revoked_by, revoked_at, expires_at FROM token_revocations WHERE expires_at > \(now) ORDER BY token_id",
                logger: logger)
            var result: [TokenRevocation] = []
            for try await (tokenID, revokedBy, revokedAt, expiresAt) in rows.decode((String, String, Double, Double).self) {
                result.append(TokenRevocation(tokenID: tokenID, revokedBy: revokedBy, revokedAt: revokedAt, expiresAt: expiresAt))
            }
            return result
        }
    }

    @discardableResult
    public func purgeRevocations(expiredBefore now: Double) async throws -> Int {
        try await transaction { connection, logger in
            let rows = try await connection.query("DELETE FROM token_revocations WHERE expires_at <= \(now) RETURNING token_id", logger: logger)
            var count = 0
            for try await _ in rows.decode(String.self) { count += 1 }
            return count
        }
    }
}
