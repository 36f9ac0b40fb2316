import OrchestratorDomain

/// Cache and cross-replica coordination: Redis in production, in-process embedded.
///
/// The cache is never the source of truth. Callers treat
/// ``DependencyUnavailableError`` from it as "cache miss / no wake-up" and
/// fall back to the database, so a cache outage never causes a 5xx by itself.
public protocol CacheStore: Sendable {
    /// The name this cache reports under `/health/ready` (`redis` or `inProcessCache`).
    var healthName: String { get }

    /// The value at `key`, or `nil` when absent or expired.
    func get(_ key: String) async throws -> String?

    /// The values at `keys`, in the same order (`nil` for an absent or expired key),
    /// in one round trip (Redis `MGET`). For reads across the fleet, such as the
    /// health monitor's presence pass. No keys is no round trip.
    func getMany(_ keys: [String]) async throws -> [String?]

    /// Stores `value` at `key`, expiring after `ttlSeconds` when given.
    func set(_ key: String, value: String, ttlSeconds: Int?) async throws

    /// Stores several keys in one round trip, without expiry (Redis `MSET`).
    /// For values written often by many writers, such as heartbeats.
    func setMany(_ entries: [(key: String, value: String)]) async throws

    /// Removes `key`. Removing an absent key is not an error.
    func delete(_ key: String) async throws

    /// Atomically adds `delta` to the integer at `key` (absent counts as 0) and
    /// returns the new value. When `ttlSeconds` is given and the key was created
    /// by this call, it expires after that many seconds.
    func increment(_ key: String, by delta: Int, ttlSeconds: Int?) async throws -> Int

    /// Atomically refills the token bucket at `key` and takes `cost` tokens from it when
    /// at least one whole token (and at least `cost`) is available; `cost` 0 only checks.
    ///
    /// An absent bucket is a full one. Shared by every replica on Redis (one script,
    /// timed by the Redis server's clock), per process in memory; either way the
    /// store keeps idle buckets no longer than ``TokenBucketPolicy/millisecondsToFill``
    /// and, in memory, a bounded number of them.
    func takeTokens(_ key: String, cost: Int, policy: TokenBucketPolicy) async throws -> TokenBucketDecision

    /// Sends `message` to every current subscriber of `channel`, on every replica.
    func publish(channel: String, message: String) async throws

    /// Messages published to `channel` from now on. The subscription ends when
    /// the consuming task is cancelled or the stream is dropped. It buffers
    /// ``PubSubBuffer/messages`` messages a slow consumer has not read yet, then drops the oldest.
    func subscribe(channel: String) async throws -> AsyncStream<String>

    /// A cheap round trip proving the cache answers.
    func ping() async throws
}

/// How many unread messages a pub/sub subscription holds before it drops the oldest (pub/sub is at most once).
/// Sized for a burst of events (a rollout tick that changes hundreds of nodes) read by a consumer that fans them out.
public enum PubSubBuffer {
    public static let messages = 1024
}
