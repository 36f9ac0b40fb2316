import OrchestratorDomain
import OrchestratorPorts
import SQLiteNIO

extension SQLiteMetadataStore {
    public func claimIdempotencyKey(
        _ key: IdempotencyKey, fingerprint: String, at time: Double, expiresAt: Double, staleBefore: Double
    ) async throws -> IdempotencyClaim {
        try await transaction { connection in
            let binds: [SQLiteData] = [.text(key.scope), .text(key.key)]
            let rows = try await connection.query(
                "SELECT fingerprint, response_json, claimed_at, expires_at FROM idempotency_keys WHERE scope = ? AND key = ?", binds)
            if let row = rows.first {
                let expired = (row.column("expires_at")?.double ?? 0) <= time
                let response = row.column("response_json")?.string
                let stale = response == nil && (row.column("claimed_at")?.double ?? 0) < staleBefore
                if !expired && !stale {
                    guard row.column("fingerprint")?.string == fingerprint else { return .mismatch }
                    guard let stored = NodeCoding.decode(StoredResponse.self, response) else { return .inProgress }
                    return .replay(stored)
                }
                _ = try await connection.query("DELETE FROM idempotency_keys WHERE scope = ? AND key = ?", binds)
            }
            _ = try await connection.query(
                "INSERT INTO idempotency_keys (scope, key, fingerprint, response_json, claimed_at, expires_at) VALUES (?, ?, ?, NULL, ?, ?)",
                binds + [.text(fingerprint), .float(time), .float(expiresAt)])
            _ = try await connection.query("DELETE FROM idempotency_keys WHERE expires_at <= ?", [.float(time)])
            return .claimed
        }
    }

    public func completeIdempotencyKey(_ key: IdempotencyKey, response: StoredResponse) async throws {
        _ = try await run(
            "UPDATE idempotency_keys SET response_json = ? WHERE scope = ? AND key = ?",
            [.text(try NodeCoding.encode(response)), .text(key.scope), .text(key.key)])
    }

    public func releaseIdempotencyKey(_ key: IdempotencyKey) async throws {
        _ = try await run("DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND response_json IS NULL", [.text(key.scope), .text(key.key)])
    }
}
