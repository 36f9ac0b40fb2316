import OrchestratorDomain

/// One revoked token id, kept until the token it names can no longer be used.
public struct TokenRevocation: Sendable, Hashable {
    /// The revoked token's `jti`.
    public var tokenID: String
    /// Who revoked it (subject), for the record.
    public var revokedBy: String
    public var revokedAt: Double
    /// When the entry may be forgotten: the token's `exp`, or `revokedAt` plus the
    /// maximum token lifetime when the token itself was not presented.
    public var expiresAt: Double

    public init(tokenID: String, revokedBy: String, revokedAt: Double, expiresAt: Double) {
        self.tokenID = tokenID
        self.revokedBy = revokedBy
        self.revokedAt = revokedAt
        self.expiresAt = expiresAt
    }
}

/// Durable token revocations (PostgreSQL / SQLite), the source of truth that
/// every replica reconciles its in-memory list from.
public protocol RevocationStore: Sendable {
    /// Records `revocation` together with its audit event. Revoking an id again
    /// keeps the later `expiresAt` (idempotent).
    func revoke(_ revocation: TokenRevocation, audit: AuditEvent) async throws

    /// Every revocation still in force at `now`.
    func revocations(activeAt now: Double) async throws -> [TokenRevocation]

    /// Deletes entries that expired before `now`; returns how many.
    @discardableResult
    func purgeRevocations(expiredBefore now: Double) async throws -> Int
}
