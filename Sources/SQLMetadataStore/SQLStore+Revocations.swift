import OrchestratorDomain
import OrchestratorPorts

/// Token revocations (`0009_token_revocations.sql`).
extension SQLStore {
    public func revoke(_ revocation: TokenRevocation, audit: AuditEvent) async throws {
        try await audited(
            """
            INSERT INTO token_revocations (token_id, revoked_by, revoked_at, expires_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (token_id) DO UPDATE SET expires_at = CASE WHEN EXCLUDED.expires_at > token_revocations.expires_at
                THEN EXCLUDED.expires_at ELSE token_revocations.expires_at END RETURNING token_id
            """,
            [.text(revocation.tokenID), .text(revocation.revokedBy), .timestamp(revocation.revokedAt), .timestamp(revocation.expiresAt)],
            audit: [audit])
    }

    public func revocations(activeAt now: Double) async throws -> [TokenRevocation] {
        let rows = try await query(
            "SELECT token_id, revoked_by, revoked_at, expires_at FROM token_revocations WHERE expires_at > $1 ORDER BY token_id",
            [.timestamp(now)])
        return try decode(rows, table: "token_revocations", key: ["token_id"]) { row in
            TokenRevocation(
                tokenID: try row.text("token_id"), revokedBy: try row.text("revoked_by"), revokedAt: try row.timestamp("revoked_at"),
                expiresAt: try row.timestamp("expires_at"))
        }
    }

    @discardableResult
    public func purgeRevocations(expiredBefore now: Double) async throws -> Int {
        try await query("DELETE FROM token_revocations WHERE expires_at <= $1 RETURNING token_id", [.timestamp(now)]).count
    }
}
