import OrchestratorDomain
import PropertyBased
import Testing

@Suite("Token bucket")
struct TokenBucketTests {
    static let tenPerMinute = TokenBucketPolicy(burst: 10, perMinute: 10)!

    @Test("a full bucket admits its burst, then refuses with the wait for one token")
    func burstThenRefuse() {
        var bucket = TokenBucket(full: Self.tenPerMinute, at: 0)
        for expected in (0..<10).reversed() {
            let decision = bucket.take(policy: Self.tenPerMinute, at: 0)
            #expect(decision.allowed && decision.remaining == expected)
        }
        let refused = bucket.take(policy: Self.tenPerMinute, at: 0)
        #expect(!refused.allowed)
        #expect(refused.remaining == 0)
        #expect(refused.retryAfterSeconds == 6)  // 10 a minute: one token every 6 s
        #expect(refused.resetSeconds == 60)
    }

    @Test("tokens refill at the per-minute rate and never beyond the burst")
    func refill() {
        var bucket = TokenBucket(full: Self.tenPerMinute, at: 0)
        for _ in 0..<10 { _ = bucket.take(policy: Self.tenPerMinute, at: 0) }
        #expect(!bucket.take(policy: Self.tenPerMinute, at: 5_999).allowed)
        let afterSix = bucket.take(policy: Self.tenPerMinute, at: 6_000)
        #expect(afterSix.allowed && afterSix.remaining == 0)
        // An hour later the bucket holds its burst, not 600 tokens.
        #expect(bucket.take(policy: Self.tenPerMinute, at: 3_606_000).remaining == 9)
    }

    @Test("asking every millisecond still refills: fractions of a token are kept")
    func frequentCallersRefill() {
        var bucket = TokenBucket(full: Self.tenPerMinute, at: 0)
        for _ in 0..<10 { _ = bucket.take(policy: Self.tenPerMinute, at: 0) }
        var admitted = 0
        for now in stride(from: Int64(1), through: 60_000, by: 1) where bucket.take(policy: Self.tenPerMinute, at: now).allowed {
            admitted += 1
        }
        #expect(admitted == 10)
    }

    @Test("cost 0 checks without taking; a clock stepping back mints nothing")
    func checkAndClockSkew() {
        var bucket = TokenBucket(full: Self.tenPerMinute, at: 60_000)
        for _ in 0..<5 { #expect(bucket.take(0, policy: Self.tenPerMinute, at: 60_000).remaining == 10) }
        for _ in 0..<10 { _ = bucket.take(policy: Self.tenPerMinute, at: 60_000) }
        #expect(!bucket.take(policy: Self.tenPerMinute, at: 0).allowed)
        #expect(!bucket.take(policy: Self.tenPerMinute, at: 60_000).allowed)  // the step back did not rewind the refill time
    }

    @Test("extreme times, levels and rates saturate instead of trapping")
    func noOverflow() {
        let policy = TokenBucketPolicy(burst: TokenBucketPolicy.maximumRate, perMinute: TokenBucketPolicy.maximumRate)!
        var bucket = TokenBucket(level: .min, updatedAt: .min)
        #expect(bucket.take(policy: policy, at: .max).remaining == TokenBucketPolicy.maximumRate - 1)
        var other = TokenBucket(level: .max, updatedAt: .max)
        #expect(other.take(policy: policy, at: .min).allowed)
        #expect(policy.refilled(.max, afterMilliseconds: .max) == policy.capacityUnits)
        #expect(TokenBucketPolicy(burst: 0, perMinute: 1) == nil)
        #expect(TokenBucketPolicy(burst: 1, perMinute: TokenBucketPolicy.maximumRate + 1) == nil)
    }

    @Test("property: over any schedule, admitted ≤ burst + refill, and no call traps")
    func admittedNeverExceedsBudget() async {
        await propertyCheck(
            count: 300, input: Gen.int(in: 1...50), Gen.int(in: 1...600), Gen.int(in: 0...5_000).array(of: 1...300)
        ) { burst, perMinute, gaps in
            let policy = TokenBucketPolicy(burst: burst, perMinute: perMinute)!
            var bucket = TokenBucket(full: policy, at: 0)
            var now: Int64 = 0
            var admitted = 0
            for gap in gaps {
                now += Int64(gap)
                let decision = bucket.take(policy: policy, at: now)
                #expect((0...burst).contains(decision.remaining))
                #expect(decision.allowed || decision.retryAfterSeconds >= 1)
                if decision.allowed { admitted += 1 }
            }
            #expect(admitted <= burst + Int(now * Int64(perMinute) / 60_000))
        }
    }

    @Test("property: a client spacing requests by the policy's rate is never refused")
    func pacedClientNeverRefused() async {
        await propertyCheck(count: 200, input: Gen.int(in: 1...50), Gen.int(in: 1...6_000), Gen.int(in: 1...400)) { burst, perMinute, requests in
            let policy = TokenBucketPolicy(burst: burst, perMinute: perMinute)!
            let spacing = TokenBucketPolicy.ceilingDivide(60_000, Int64(perMinute))
            var bucket = TokenBucket(full: policy, at: 0)
            for index in 0..<requests {
                #expect(bucket.take(policy: policy, at: Int64(index) * spacing).allowed)
            }
        }
    }

    @Test("property: a table holds at most its maximum keys under a flood of distinct owners")
    func tableStaysBounded() async {
        await propertyCheck(count: 50, input: Gen.int(in: 1...64), Gen.int(in: 0...2_000)) { maximum, flood in
            var table = BucketTable(maximumKeys: maximum)
            for index in 0..<flood {
                _ = table.take("address:\(index)", policy: Self.tenPerMinute, at: Int64(index))
                #expect(table.count <= maximum)
            }
        }
    }

    @Test("a table evicts refilled buckets before busy ones")
    func evictsIdleFirst() {
        var table = BucketTable(maximumKeys: 2)
        for _ in 0..<10 { _ = table.take("busy", policy: Self.tenPerMinute, at: 0) }
        _ = table.take("idle", policy: TokenBucketPolicy(burst: 1, perMinute: 600)!, at: 0)  // full again after 100 ms
        _ = table.take("new", policy: Self.tenPerMinute, at: 1_000)
        #expect(!table.take("busy", policy: Self.tenPerMinute, at: 1_000).allowed)  // still remembered, still empty
    }
}

@Suite("Agent budget")
struct AgentBudgetTests {
    @Test("the default timings give 60 a minute; short intervals raise it")
    func derivation() {
        #expect(AgentBudget.steadyLoadPerMinute(heartbeatIntervalSeconds: 30, pollIntervalSeconds: 30) == 5)
        #expect(AgentBudget.perMinute(heartbeatIntervalSeconds: 30, pollIntervalSeconds: 30) == 60)
        #expect(AgentBudget.perMinute(heartbeatIntervalSeconds: 1, pollIntervalSeconds: 1) == 1_200)
    }

    /// One hour of virtual time: heartbeats as told, polls answered at once (no long-poll) every
    /// jittered interval, a deployment of 20 modules every 5 minutes (a poll, 20 downloads and
    /// 4 status reports per module), and transient errors retried after the agent's backoff.
    @Test("property: a simulated healthy agent following the server's hints is never limited", arguments: [(30, 30), (5, 10), (1, 1)])
    func healthyAgentNeverLimited(heartbeat: Int, poll: Int) async {
        await propertyCheck(count: 20, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var random = SplitMix(seed: UInt64(seed))
            let policy = TokenBucketPolicy(
                burst: 300, perMinute: AgentBudget.perMinute(heartbeatIntervalSeconds: heartbeat, pollIntervalSeconds: poll))!
            var requests: [Int64] = []
            for beat in stride(from: Int64(0), to: 3_600_000, by: heartbeat * 1000) { requests.append(beat) }
            var now: Int64 = 0
            while now < 3_600_000 {
                requests.append(now)
                now += Int64((Double(poll) * (0.8 + 0.4 * random.unit())).rounded()) * 1000
            }
            for rollout in stride(from: Int64(1_000), to: 3_600_000, by: 300_000) {
                requests += (0..<100).map { rollout + Int64($0) * 10 }  // 20 downloads + 80 reports, 10 ms apart
            }
            var bucket = TokenBucket(full: policy, at: 0)
            var refused = 0
            for time in requests.sorted() where !bucket.take(policy: policy, at: time).allowed { refused += 1 }
            #expect(refused == 0)
        }
    }

    @Test("an agent polling in a tight loop is limited within seconds")
    func misbehavingAgentLimited() {
        let policy = TokenBucketPolicy(burst: 300, perMinute: AgentBudget.perMinute(heartbeatIntervalSeconds: 30, pollIntervalSeconds: 30))!
        var bucket = TokenBucket(full: policy, at: 0)
        let firstRefusal = (0..<10_000).first { !bucket.take(policy: policy, at: Int64($0) * 10).allowed }  // 100 a second
        #expect(firstRefusal.map { $0 < 400 } == true)
    }
}

/// A tiny seeded generator so the simulation's jitter is reproducible from the property's input.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

@Suite("Rate-limit keys")
struct RateLimitKeyTests {
    @Test("IPv4 addresses have a bucket each; IPv6 addresses share their /64")
    func addressBuckets() {
        #expect(RateLimitKey.address("203.0.113.7").owner == "address:203.0.113.7")
        #expect(RateLimitKey.address("::ffff:203.0.113.7").owner == "address:::ffff:203.0.113.7")
        #expect(RateLimitKey.address("2001:db8:1:2::1").owner == "address:2001:db8:1:2::/64")
        #expect(RateLimitKey.address("2001:0db8:0001:0002:ffff:ffff:ffff:ffff").owner == "address:2001:db8:1:2::/64")
        #expect(RateLimitKey.address("fe80::1%eth0").owner == "address:fe80:0:0:0::/64")
        #expect(RateLimitKey.address("::1").owner == "address:0:0:0:0::/64")
        #expect(RateLimitKey.address("unknown").owner == "address:unknown")
        #expect(RateLimitKey.address("1:2:3:4:5:6:7:8:9").owner == "address:1:2:3:4:5:6:7:8:9")  // not an address: kept as is
    }

    @Test("property: no address text traps, and every IPv6 /64 prefix is at most 4 groups")
    func addressTextNeverTraps() async {
        await propertyCheck(count: 500, input: Gen.element(of: Array("0123456789abcdefABCDEF:.%x")).array(of: 0...50)) { characters in
            let key = RateLimitKey.address(String(characters.compactMap { $0 }))
            if key.owner.hasSuffix("::/64") {
                #expect(key.owner.dropFirst("address:".count).dropLast("::/64".count).split(separator: ":").count == 4)
            }
        }
    }

    @Test("agents are keyed by node, everyone else by role and subject")
    func principalKeys() {
        let node = Principal(subject: "node:edge-1", role: .agent, nodeID: "edge-1")
        #expect(RateLimitKey.principal(node, limitClass: .reads) == RateLimitKey(.agent, owner: "node:edge-1"))
        let alice = Principal(subject: "alice", role: .viewer)
        #expect(RateLimitKey.principal(alice, limitClass: .reads).storageKey == "ratelimit:reads:principal:viewer:alice")
        #expect(
            RateLimitKey.principal(alice, limitClass: .reads) != RateLimitKey.principal(Principal(subject: "alice", role: .admin), limitClass: .reads)
        )
    }
}

extension TokenBucketTests {
    @Test("a check of an unknown key stores nothing, so checked-only owners take no memory")
    func checkStoresNothing() {
        var table = BucketTable(maximumKeys: 10)
        for index in 0..<100 { #expect(table.take("address:\(index)", cost: 0, policy: Self.tenPerMinute, at: 0).allowed) }
        #expect(table.count == 0)
        _ = table.take("address:1", cost: 1, policy: Self.tenPerMinute, at: 0)
        #expect(table.take("address:1", cost: 0, policy: Self.tenPerMinute, at: 0).remaining == 9)
        #expect(table.count == 1)
    }
}
