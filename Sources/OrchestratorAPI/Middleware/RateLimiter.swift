import HTTPTypes
import Logging
import Metrics
import NIOConcurrencyHelpers
import OrchestratorDomain
import OrchestratorPorts

/// Takes tokens from the shared buckets, falling back to this replica's when the shared store fails.
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
    func policy(_ limitClass: RateLimitClass) -> TokenBucketPolicy? { policies[limitClass] }

    /// Takes `cost` tokens (0: only checks) from `key`'s bucket. Never throws: a failing
    /// shared store falls back to the local one, and a failing local store admits.
    func take(_ key: RateLimitKey, cost: Int, policy: TokenBucketPolicy) async -> TokenBucketDecision {
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

/// The `RateLimit-Policy` and `RateLimit` fields of draft-ietf-httpapi-ratelimit-headers-09
/// (structured-field form), and the 429 problem.
enum RateLimitFields {
    static let policy = HTTPField.Name("RateLimit-Policy")!
    static let limit = HTTPField.Name("RateLimit")!
    /// `rate_limited_requests_total{class}`, created once (after metrics are bootstrapped).
    static let refusals = Dictionary(uniqueKeysWithValues: RateLimitClass.allCases.map {
        ($0, Counter(label: "rate_limited_requests_total", dimensions: [("class", $0.rawValue)]))
    })

    /// `"<class>";q=<burst>;w=<seconds to refill a full burst>`: `q` requests per `w` seconds never wait.
    static func policyValue(_ limitClass: RateLimitClass, _ policy: TokenBucketPolicy) -> String {
        let window = max(1, TokenBucketPolicy.ceilingSeconds(policy.millisecondsToFill))
        return "\"\(limitClass.rawValue)\";q=\(policy.burst);w=\(window)"
    }

    /// `"<class>";r=<remaining>;t=<seconds until the bucket is full>`.
    static func limitValue(_ limitClass: RateLimitClass, _ decision: TokenBucketDecision) -> String {
        "\"\(limitClass.rawValue)\";r=\(decision.remaining);t=\(decision.resetSeconds)"
    }

    static func add(to headers: inout HTTPFields, _ limitClass: RateLimitClass, _ policy: TokenBucketPolicy, _ decision: TokenBucketDecision) {
        headers[Self.policy] = policyValue(limitClass, policy)
        headers[Self.limit] = limitValue(limitClass, decision)
    }

    /// 429 problem with `Retry-After` and both fields.
    static func tooManyRequests(_ limitClass: RateLimitClass, _ policy: TokenBucketPolicy, _ decision: TokenBucketDecision) -> APIError {
        refusals[limitClass]?.increment()
        var headers = HTTPFields()
        headers[.retryAfter] = String(max(1, decision.retryAfterSeconds))
        add(to: &headers, limitClass, policy, decision)
        return APIError(
            status: .tooManyRequests, slug: "rate-limited",
            detail: "too many '\(limitClass.rawValue)' requests (\(policy.burst) at once, \(policy.perMinute) per minute); retry in \(max(1, decision.retryAfterSeconds)) s",
            headers: headers)
    }
}
