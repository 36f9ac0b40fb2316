/// Token buckets by key, holding at most `maximumKeys` of them.
///
/// A flood of distinct source addresses or subjects cannot grow it without
/// bound: when a new key would exceed the limit, buckets that have refilled
/// completely are dropped first (forgetting a full bucket changes no decision),
/// and if that frees nothing, the eighth of buckets idle the longest. Evicting a
/// bucket that is not full hands its owner a fresh burst; that is the price of
/// the bound, paid only under a flood of more than `maximumKeys` owners.
public struct BucketTable: Sendable {
    /// The most buckets kept at once.
    public let maximumKeys: Int
    private var buckets: [String: (bucket: TokenBucket, policy: TokenBucketPolicy)] = [:]

    public init(maximumKeys: Int) {
        self.maximumKeys = max(1, maximumKeys)
    }

    /// The number of buckets held.
    public var count: Int { buckets.count }

    /// Takes `cost` tokens from the bucket at `key` (created full), see ``TokenBucket/take(_:policy:at:)``.
    /// A check (`cost` 0) never creates a bucket, so checked-only owners take no memory.
    public mutating func take(_ key: String, cost: Int = 1, policy: TokenBucketPolicy, at now: Int64) -> TokenBucketDecision {
        if var entry = buckets[key], entry.policy == policy {
            let decision = entry.bucket.take(cost, policy: policy, at: now)
            buckets[key] = (entry.bucket, policy)
            return decision
        }
        // An unknown key, or one whose policy changed: start from a full bucket.
        // A check (cost 0) of an unknown key stores nothing: absent is full.
        if cost <= 0, buckets[key] == nil { return policy.decision(allowed: true, level: policy.capacityUnits) }
        if buckets[key] == nil, buckets.count >= maximumKeys { evict(at: now) }
        var bucket = TokenBucket(full: policy, at: now)
        let decision = bucket.take(cost, policy: policy, at: now)
        buckets[key] = (bucket, policy)
        return decision
    }

    private mutating func evict(at now: Int64) {
        buckets = buckets.filter { !$0.value.bucket.isFull(policy: $0.value.policy, at: now) }
        guard buckets.count >= maximumKeys else { return }
        let oldest = buckets.sorted { $0.value.bucket.updatedAt < $1.value.bucket.updatedAt }
            .prefix(max(1, buckets.count / 8))
        for (key, _) in oldest { buckets[key] = nil }
    }
}
