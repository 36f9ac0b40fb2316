import OrchestratorDomain
import OrchestratorPorts

extension SQLStore {
    public func claimIdempotencyKey(
        _ key: IdempotencyKey, fingerprint: String, at time: Double, expiresAt: Double, staleBefore: Double
    ) async throws -> IdempotencyClaim {
        let scope = SQLValue.text(key.scope), name = SQLValue.text(key.key)
        return try await transaction { session in
            // Take over an expired record, or a claim whose request never finished.
            try await session.query(
                """
                DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2
                  AND (expires_at <= $3 OR (response_json IS NULL AND claimed_at < $4))
                """,
                [scope, name, .timestamp(time), .timestamp(staleBefore)])
            try await session.query("DELETE FROM idempotency_keys WHERE expires_at <= $1", [.timestamp(time)])
            let inserted = try await session.query(
                """
                INSERT INTO idempotency_keys (scope, key, fingerprint, response_json, claimed_at, expires_at)
                VALUES ($1, $2, $3, NULL, $4, $5) ON CONFLICT (scope, key) DO NOTHING RETURNING key
                """,
                [scope, name, .text(fingerprint), .timestamp(time), .timestamp(expiresAt)])
            guard inserted.isEmpty else { return .claimed }
            let rows = try await session.query(
                "SELECT scope, key, fingerprint, response_json FROM idempotency_keys WHERE scope = $1 AND key = $2", [scope, name])
            let claims = try self.decode(rows, table: "idempotency_keys", key: ["scope", "key"]) { row -> IdempotencyClaim in
                guard try row.text("fingerprint") == fingerprint else { return .mismatch }
                return try row.optionalJSON(StoredResponse.self, "response_json").map { .replay($0) } ?? .inProgress
            }
            return claims.first ?? .inProgress
        }
    }

    public func completeIdempotencyKey(_ key: IdempotencyKey, response: StoredResponse) async throws {
        try await query(
            "UPDATE idempotency_keys SET response_json = $1 WHERE scope = $2 AND key = $3",
            [.text(try NodeCoding.encode(response)), .text(key.scope), .text(key.key)])
    }

    public func releaseIdempotencyKey(_ key: IdempotencyKey) async throws {
        try await query(
            "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND response_json IS NULL", [.text(key.scope), .text(key.key)])
    }
}
