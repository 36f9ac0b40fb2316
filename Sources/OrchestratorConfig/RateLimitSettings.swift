import OrchestratorDomain

/// Token-bucket rate limits per route class (see `docs/rate-limits.md`).
///
/// Keys: `rateLimits.enabled` and, for each class, `rateLimits.<class>.perMinute`
/// and `rateLimits.<class>.burst` (environment `RATE_LIMITS_<CLASS>_PER_MINUTE`,
/// `RATE_LIMITS_<CLASS>_BURST`). Seed 004's `RateLimiting.ModuleRegistration: 10`
/// and `ModuleExecution: 1000` are the per-minute defaults of those two classes.
public struct RateLimitSettings: Sendable {
    /// `rateLimits.enabled` — `false` turns every limit off (no 429, no `RateLimit` fields). Default `true`.
    public var enabled: Bool
    /// `rateLimits.maxBuckets` — the most buckets one replica keeps in memory (idle ones are evicted first). Default 100 000.
    public var maxBuckets: Int
    /// The bucket of each class.
    public var policies: [RateLimitClass: TokenBucketPolicy]

    /// The defaults: `(perMinute, burst)`. The agent's rate is derived from the node timings unless set.
    static let defaults: [RateLimitClass: (perMinute: Int, burst: Int)] = [
        .moduleRegistration: (10, 10),
        .moduleExecution: (1000, 200),
        .enrollment: (30, 20),
        .writes: (600, 120),
        .reads: (3000, 600),
        .agent: (60, 300),
    ]

    /// - Parameter nodes: the agent class's default rate is ``AgentBudget/perMinute(heartbeatIntervalSeconds:pollIntervalSeconds:)``
    ///   of these timings, so a healthy agent following the server's hints is never limited.
    init(_ values: ConfigValues, nodes: NodeSettings) throws {
        enabled = try values.bool("rateLimits.enabled", default: true)
        maxBuckets = try values.int("rateLimits.maxBuckets", default: 100_000, range: 100...10_000_000)
        var policies: [RateLimitClass: TokenBucketPolicy] = [:]
        for limitClass in RateLimitClass.allCases {
            let defaults = Self.defaults[limitClass] ?? (60, 60)
            let derived =
                limitClass == .agent
                ? AgentBudget.perMinute(heartbeatIntervalSeconds: nodes.heartbeatIntervalSeconds, pollIntervalSeconds: nodes.pollIntervalSeconds)
                : defaults.perMinute
            let range = 1...TokenBucketPolicy.maximumRate
            let perMinute = try values.int("rateLimits.\(limitClass.rawValue).perMinute", default: derived, range: range)
            let burst = try values.int("rateLimits.\(limitClass.rawValue).burst", default: defaults.burst, range: range)
            policies[limitClass] = TokenBucketPolicy(burst: burst, perMinute: perMinute)
        }
        self.policies = policies
    }

    /// The policy of `limitClass`.
    public func policy(_ limitClass: RateLimitClass) -> TokenBucketPolicy {
        // Every class is filled by `init`; the fallback only keeps this total.
        policies[limitClass] ?? TokenBucketPolicy(burst: 60, perMinute: 60)!
    }
}
