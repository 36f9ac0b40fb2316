import OrchestratorDomain
import OrchestratorPorts

extension RedisCache {
    /// The token bucket as one Lua script, so a refill and a take are atomic across every
    /// replica. Time is the Redis server's (`TIME`), so replicas' clocks need not agree.
    /// The bucket is a hash (`l`: level in units, `t`: last update in ms) that expires once
    /// it would be full again: an absent bucket is a full one, so Redis keeps only busy keys.
    /// A check (cost 0) writes nothing: the refill is a function of the stored level and time.
    /// Same math as ``TokenBucket/take(_:policy:at:)``; integers stay below 2^53, exact in Lua.
    static let takeTokensScript = """
        local unit = 60000
        local cap = tonumber(ARGV[1]) * unit
        local rate = tonumber(ARGV[2])
        local cost = tonumber(ARGV[3]) * unit
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        local state = redis.call('HMGET', KEYS[1], 'l', 't')
        local level = tonumber(state[1])
        local updated = tonumber(state[2])
        if level == nil or updated == nil then level = cap; updated = now end
        if level > cap then level = cap end
        if level < 0 then level = 0 end
        if now > updated then
          level = math.min(cap, level + (now - updated) * rate)
          updated = now
        end
        local allowed = 0
        if level >= math.max(cost, unit) then level = level - cost; allowed = 1 end
        if cost == 0 then return {allowed, level} end
        redis.call('HSET', KEYS[1], 'l', string.format('%.0f', level), 't', string.format('%.0f', updated))
        redis.call('PEXPIRE', KEYS[1], math.ceil((cap - level) / rate) + 1000)
        return {allowed, level}
        """

    public func takeTokens(_ key: String, cost: Int, policy: TokenBucketPolicy) async throws -> TokenBucketDecision {
        let cost = min(max(cost, 0), policy.burst)
        let reply = try await command([
            "EVAL", Self.takeTokensScript, "1", prefixed(key), String(policy.burst), String(policy.perMinute), String(cost),
        ])
        guard case .array(let values) = reply, values.count == 2, case .integer(let allowed) = values[0], case .integer(let level) = values[1] else {
            throw DependencyUnavailableError(dependency: healthName, reason: "unexpected rate-limit script reply \(reply)")
        }
        return policy.decision(allowed: allowed == 1, level: Int64(level))
    }
}
