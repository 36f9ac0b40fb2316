import CoreMetrics
import HTTPTypes
import Metrics
import OrchestratorDomain

/// `rate_limited_requests_total{class}`: one counter per class, created once per server.
struct RateLimitRefusals: Sendable {
    private let counters: [RateLimitClass: Counter]

    init(factory: any MetricsFactory) {
        counters = Dictionary(
            uniqueKeysWithValues: RateLimitClass.allCases.map {
                ($0, Counter(label: "rate_limited_requests_total", dimensions: [("class", $0.rawValue)], factory: factory))
            })
    }

    func count(_ limitClass: RateLimitClass) { counters[limitClass]?.increment() }
}

/// The `RateLimit-Policy` and `RateLimit` fields of draft-ietf-httpapi-ratelimit-headers-09
/// (structured-field form), and the 429 problem.
enum RateLimitFields {
    static let policy = HTTPField.Name("RateLimit-Policy")!
    static let limit = HTTPField.Name("RateLimit")!

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

    /// 429 problem with `Retry-After` and both fields; the refusal is counted.
    static func tooManyRequests(
        _ limitClass: RateLimitClass, _ policy: TokenBucketPolicy, _ decision: TokenBucketDecision, counting refusals: RateLimitRefusals
    ) -> APIError {
        refusals.count(limitClass)
        var headers = HTTPFields()
        headers[.retryAfter] = String(max(1, decision.retryAfterSeconds))
        add(to: &headers, limitClass, policy, decision)
        return APIError(
            status: .tooManyRequests, slug: "rate-limited",
            detail:
                "too many '\(limitClass.rawValue)' requests (\(policy.burst) at once, \(policy.perMinute) per minute); "
                + "retry in \(max(1, decision.retryAfterSeconds)) s",
            headers: headers)
    }
}
