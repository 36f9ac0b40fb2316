import Synchronization

/// The revoked token ids this replica knows, checked on every verification.
///
/// Verification must not cost a database or Redis round trip, so the check
/// is a lookup in this in-memory set; ``TokenRevocations`` keeps it in step
/// with the durable store (at once on the revoking replica, through the
/// cache's publish/subscribe on the others, and by a periodic reconcile).
/// Each entry is kept until the token it names expires.
public final class RevocationList: Sendable {
    private let entries = Mutex<[String: Double]>([:])

    public init() {}

    /// `true` when `tokenID` was revoked and the entry has not expired yet.
    public func contains(_ tokenID: String) -> Bool {
        entries.withLock { $0[tokenID] != nil }
    }

    /// Adds (or extends) one revocation, kept until `expiresAt` (seconds since 1970).
    public func insert(_ tokenID: String, until expiresAt: Double) {
        entries.withLock { $0[tokenID] = max($0[tokenID] ?? expiresAt, expiresAt) }
    }

    /// Adds every entry of a reconcile read, then drops those expired at `now`.
    public func merge(_ revocations: [(tokenID: String, expiresAt: Double)], now: Double) {
        entries.withLock { current in
            for entry in revocations { current[entry.tokenID] = max(current[entry.tokenID] ?? entry.expiresAt, entry.expiresAt) }
            current = current.filter { $0.value > now }
        }
    }

    /// How many revocations are held (for logs and tests).
    public var count: Int { entries.withLock { $0.count } }
}
