import Logging
import NIOConcurrencyHelpers
import OrchestratorDomain
import OrchestratorPorts

/// The rate-limiting use case: takes tokens from the shared buckets, falling back to this replica's when the shared store fails.
///
/// With Redis configured, `shared` is Redis and every replica draws from the same
/// buckets. When Redis fails, the limiter **fails open per replica**: it answers from
/// `fallback` (an in-process, bounded store), so each replica still enforces the
/// limit on its own share of traffic and an outage never turns into 429s or 5xx.
/// The outage is logged at most every ``warningIntervalSeconds``.
public struct RateLimiter: Sendable {
    /// The policy of each class.
    public let policies: [RateLimitClass: TokenBucketPolicy]
    let shared: any CacheStore
    let fallback: (any CacheStore)?
    let logger: Logger
    let now: @Sendable () -> Double
    private let lastWarning = NIOLockedValueBox<Double>(-.infinity)
    static let warningIntervalSeconds = 10.0

    /// - Parameters:
    ///   - shared: the cache whose buckets every replica uses (in-process when there is one replica).
    ///   - fallback: where to count when `shared` fails; `nil` when `shared` is already in-process.
    public init(
        policies: [RateLimitClass: TokenBucketPolicy], shared: any CacheStore, fallback: (any CacheStore)?, logger: Logger,
        now: @escaping @Sendable () -> Double
    ) {
        self.policies = policies
        self.shared = shared
        self.fallback = fallback
        self.logger = logger
        self.now = now
    }

    /// The policy of `limitClass` (a class without one is not limited).
    public func policy(_ limitClass: RateLimitClass) -> TokenBucketPolicy? { policies[limitClass] }

    /// Takes `cost` tokens (0: only checks) from `key`'s bucket. Never throws: a failing
    /// shared store falls back to the local one, and a failing local store admits.
    public func take(_ key: RateLimitKey, cost: Int, policy: TokenBucketPolicy) async -> TokenBucketDecision {
        do {
            return try await shared.takeTokens(key.storageKey, cost: cost, policy: policy)
        } catch {
            warnOccasionally(error)
            if let fallback, let decision = try? await fallback.takeTokens(key.storageKey, cost: cost, policy: policy) {
                return decision
            }
            return policy.decision(allowed: true, level: policy.capacityUnits)
        }
    }

    private func warnOccasionally(_ error: any Error) {
        let time = now()
        let due = lastWarning.withLockedValue { last in
            guard time - last >= Self.warningIntervalSeconds else { return false }
            last = time
            return true
        }
        if due {
            logger.warning("rate-limit store unavailable; limiting per replica until it answers", metadata: ["error": "\(error)"])
        }
    }
}
