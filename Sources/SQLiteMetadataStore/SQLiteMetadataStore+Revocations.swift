import OrchestratorDomain
import OrchestratorPorts
import SQLiteNIO

/// Token revocations on SQLite (`0009_token_revocations.sql`).
extension SQLiteMetadataStore {
    public func revoke(_ revocation: TokenRevocation, audit: AuditEvent) async throws {
        try await transaction { connection in
            _ = try await connection.query(
                """
                INSERT INTO token_revocations (token_id, revoked_by, revoked_at, expires_at) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (token_id) DO UPDATE SET expires_at = max(token_revocations.expires_at, excluded.expires_at)
                """,
                [.text(revocation.tokenID), .text(revocation.revokedBy), .float(revocation.revokedAt), .float(revocation.expiresAt)])
            try await Self.insertAudit(audit, on: connection)
        }
    }

    public func revocations(activeAt now: Double) async throws -> [TokenRevocation] {
        try await run(
            "SELECT token_id, revoked_by, revoked_at, expires_at FROM token_revocations WHERE expires_at > ? ORDER BY token_id",
            [.float(now)]
        ).map { row in
            TokenRevocation(
                tokenID: row.column("token_id")?.string ?? "", revokedBy: row.column("revoked_by")?.string ?? "",
                revokedAt: row.column("revoked_at")?.double ?? 0, expiresAt: row.column("expires_at")?.double ?? 0)
        }
    }

    @discardableResult
    public func purgeRevocations(expiredBefore now: Double) async throws -> Int {
        try await run("DELETE FROM token_revocations WHERE expires_at <= ? RETURNING token_id", [.float(now)]).count
    }
}
