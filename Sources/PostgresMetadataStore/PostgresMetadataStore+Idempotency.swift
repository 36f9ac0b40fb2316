import Logging
import OrchestratorDomain
import OrchestratorPorts
import PostgresNIO

extension PostgresMetadataStore {
    public func claimIdempotencyKey(
        _ key: IdempotencyKey, fingerprint: String, at time: Double, expiresAt: Double, staleBefore: Double
    ) async throws -> IdempotencyClaim {
        try await transaction { connection, logger in
            // Take over an expired record, or a claim whose request never finished.
            try await connection.query(
                """
                DELETE FROM idempotency_keys WHERE scope = \(key.scope) AND key = \(key.key)
                  AND (expires_at <= \(time) OR (response_json IS NULL AND claimed_at < \(staleBefore)))
                """,
                logger: logger)
            try await connection.query("DELETE FROM idempotency_keys WHERE expires_at <= \(time)", logger: logger)
            let inserted = try await connection.query(
                """
                INSERT INTO idempotency_keys (scope, key, fingerprint, response_json, claimed_at, expires_at)
                VALUES (\(key.scope), \(key.key), \(fingerprint), NULL, \(time), \(expiresAt))
                ON CONFLICT (scope, key) DO NOTHING RETURNING key
                """,
                logger: logger)
            var claimed = false
            for try await _ in inserted.decode(String.self) { claimed = true }
            if claimed { return .claimed }
            let rows = try await connection.query(
                "SELECT fingerprint, response_json FROM idempotency_keys WHERE scope = \(key.scope) AND key = \(key.key)", logger: logger)
            for try await (storedFingerprint, response) in rows.decode((String, String?).self) {
                guard storedFingerprint == fingerprint else { return .mismatch }
                guard let stored = NodeCoding.decode(StoredResponse.self, response) else { return .inProgress }
                return .replay(stored)
            }
            return .inProgress
        }
    }

    public func completeIdempotencyKey(_ key: IdempotencyKey, response: StoredResponse) async throws {
        let json = try NodeCoding.encode(response)
        try await read { client, logger in
            try await client.query(
                "UPDATE idempotency_keys SET response_json = \(json) WHERE scope = \(key.scope) AND key = \(key.key)", logger: logger)
        }
    }

    public func releaseIdempotencyKey(_ key: IdempotencyKey) async throws {
        try await read { client, logger in
            try await client.query(
                "DELETE FROM idempotency_keys WHERE scope = \(key.scope) AND key = \(key.key) AND response_json IS NULL", logger: logger)
        }
    }
}
