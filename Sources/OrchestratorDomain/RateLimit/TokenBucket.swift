/// A token bucket's rule: `burst` tokens at most, refilled at `perMinute` tokens a minute.
///
/// The bucket level is kept in integer *units* of 1/60 000 token, so one
/// millisecond adds exactly `perMinute` units: refill is exact (no rounding
/// that would starve a client asking more often than once per token), and every
/// operation is checked arithmetic that saturates instead of trapping.
public struct TokenBucketPolicy: Sendable, Hashable {
    /// Units per token: milliseconds in a minute.
    public static let unitsPerToken: Int64 = 60_000
    /// The largest `burst` and `perMinute` accepted, so `burst × unitsPerToken` and the
    /// refill of a whole day stay far inside `Int64` (and inside a Lua double's 2^53 in Redis).
    public static let maximumRate = 1_000_000

    /// Tokens a full bucket holds: how many requests may arrive at once.
    public let burst: Int
    /// Tokens added per minute: the sustained rate.
    public let perMinute: Int

    /// - Returns: `nil` unless both values are in `1...maximumRate`.
    public init?(burst: Int, perMinute: Int) {
        guard (1...Self.maximumRate).contains(burst), (1...Self.maximumRate).contains(perMinute) else { return nil }
        self.burst = burst
        self.perMinute = perMinute
    }

    /// A full bucket, in units.
    public var capacityUnits: Int64 { Int64(burst) * Self.unitsPerToken }

    /// Milliseconds an empty bucket needs to become full; idle buckets older than this are
    /// indistinguishable from absent ones and may be evicted (Redis: the key's expiry).
    public var millisecondsToFill: Int64 { Self.ceilingDivide(capacityUnits, Int64(perMinute)) }

    /// The level `elapsedMilliseconds` after `level`, capped at a full bucket.
    /// Negative elapsed time (a clock stepping back) adds nothing.
    public func refilled(_ level: Int64, afterMilliseconds elapsedMilliseconds: Int64) -> Int64 {
        let current = min(max(level, 0), capacityUnits)
        guard elapsedMilliseconds > 0 else { return current }
        let (added, overflow) = elapsedMilliseconds.multipliedReportingOverflow(by: Int64(perMinute))
        guard !overflow else { return capacityUnits }
        let (sum, sumOverflow) = current.addingReportingOverflow(added)
        return sumOverflow ? capacityUnits : min(sum, capacityUnits)
    }

    /// What a caller is told about a bucket at `level` units after the request was (or was not) admitted.
    public func decision(allowed: Bool, level: Int64) -> TokenBucketDecision {
        let level = min(max(level, 0), capacityUnits)
        let missingForOne = max(0, Self.unitsPerToken - level)
        return TokenBucketDecision(
            allowed: allowed,
            remaining: Int(level / Self.unitsPerToken),
            retryAfterSeconds: allowed ? 0 : Self.seconds(Self.ceilingDivide(missingForOne, Int64(perMinute))),
            resetSeconds: Self.seconds(Self.ceilingDivide(capacityUnits - level, Int64(perMinute))))
    }

    /// Whole seconds covering `milliseconds`, at least 1 when any wait remains.
    static func seconds(_ milliseconds: Int64) -> Int {
        ceilingSeconds(milliseconds)
    }

    /// Whole seconds covering `milliseconds` (`⌈ms / 1000⌉`).
    public static func ceilingSeconds(_ milliseconds: Int64) -> Int {
        Int(ceilingDivide(max(0, milliseconds), 1000))
    }

    /// `⌈a / b⌉` for `a ≥ 0`, `b > 0`, without the `a + b - 1` that could overflow.
    public static func ceilingDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let (quotient, remainder) = a.quotientAndRemainder(dividingBy: b)
        return remainder == 0 ? quotient : quotient + 1
    }
}

/// The outcome of asking a bucket for a token.
public struct TokenBucketDecision: Sendable, Hashable {
    /// Whether the request may proceed.
    public let allowed: Bool
    /// Whole tokens left after this request.
    public let remaining: Int
    /// When refused: seconds until one token is available (`Retry-After`); 0 when allowed.
    public let retryAfterSeconds: Int
    /// Seconds until the bucket is full again (the `t` of the `RateLimit` field).
    public let resetSeconds: Int

    public init(allowed: Bool, remaining: Int, retryAfterSeconds: Int, resetSeconds: Int) {
        self.allowed = allowed
        self.remaining = remaining
        self.retryAfterSeconds = retryAfterSeconds
        self.resetSeconds = resetSeconds
    }
}

/// One bucket's state: its level in units and when it was last brought up to date.
///
/// An absent bucket is a full one, so a store may drop any bucket that has been
/// idle for ``TokenBucketPolicy/millisecondsToFill`` without changing a decision.
public struct TokenBucket: Sendable, Hashable {
    /// Units in the bucket at `updatedAt`.
    public private(set) var level: Int64
    /// Milliseconds since 1970 of the last update.
    public private(set) var updatedAt: Int64

    /// A full bucket at `now`.
    public init(full policy: TokenBucketPolicy, at now: Int64) {
        self.level = policy.capacityUnits
        self.updatedAt = now
    }

    public init(level: Int64, updatedAt: Int64) {
        self.level = level
        self.updatedAt = updatedAt
    }

    /// Refills up to `now`, then admits the request when at least one whole token
    /// (and at least `cost`) is available, removing `cost` tokens.
    ///
    /// `cost` 0 only checks: it admits while a token is left and takes nothing. The
    /// refill time never moves backwards, so a clock stepping back cannot mint tokens.
    public mutating func take(_ cost: Int = 1, policy: TokenBucketPolicy, at now: Int64) -> TokenBucketDecision {
        level = policy.refilled(level, afterMilliseconds: Self.elapsed(from: updatedAt, to: now))
        updatedAt = max(updatedAt, now)
        let costUnits = Int64(min(max(cost, 0), policy.burst)) * TokenBucketPolicy.unitsPerToken
        let allowed = level >= max(costUnits, TokenBucketPolicy.unitsPerToken)
        if allowed { level -= costUnits }
        return policy.decision(allowed: allowed, level: level)
    }

    /// Whether the bucket would be full at `now` (and may therefore be forgotten).
    public func isFull(policy: TokenBucketPolicy, at now: Int64) -> Bool {
        policy.refilled(level, afterMilliseconds: Self.elapsed(from: updatedAt, to: now)) >= policy.capacityUnits
    }

    /// `to − from`, saturating at the `Int64` bounds instead of trapping.
    static func elapsed(from start: Int64, to end: Int64) -> Int64 {
        let (difference, overflow) = end.subtractingReportingOverflow(start)
        guard overflow else { return difference }
        return end > start ? Int64.max : Int64.min
    }
}
