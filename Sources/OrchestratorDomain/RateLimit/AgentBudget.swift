/// The agent class's sustained rate, derived from the timings the server tells its agents.
///
/// A healthy agent sends one heartbeat per `heartbeatIntervalSeconds` and at most one
/// desired-state poll per `0.8 × pollIntervalSeconds` (the jittered `X-Poll-After-Seconds`;
/// a held long-poll answers less often). Status reports and downloads come in bursts while
/// it converges on a new desired state and are covered by the bucket's burst. The
/// sustained rate is ten times the steady load, and at least 60 a minute, so retries
/// after transient errors (the agent backs off from 0.5 s) fit as well.
public enum AgentBudget {
    /// Headroom over the steady load of a healthy agent.
    public static let headroom = 10
    /// The floor of the derived rate, per minute.
    public static let minimumPerMinute = 60

    /// Requests per minute a healthy agent makes at most in steady state.
    public static func steadyLoadPerMinute(heartbeatIntervalSeconds: Int, pollIntervalSeconds: Int) -> Int {
        let heartbeats = TokenBucketPolicy.ceilingDivide(60, Int64(max(1, heartbeatIntervalSeconds)))
        // The shortest jittered poll interval is 0.8 × the configured one, rounded (at least 1 s).
        let shortestPoll = max(1, (Int64(max(1, pollIntervalSeconds)) * 8 + 5) / 10)
        let polls = TokenBucketPolicy.ceilingDivide(60, shortestPoll)
        return Int(heartbeats + polls)
    }

    /// The derived per-minute rate: ``headroom`` × the steady load, at least ``minimumPerMinute``,
    /// at most ``TokenBucketPolicy/maximumRate``.
    public static func perMinute(heartbeatIntervalSeconds: Int, pollIntervalSeconds: Int) -> Int {
        let load = steadyLoadPerMinute(heartbeatIntervalSeconds: heartbeatIntervalSeconds, pollIntervalSeconds: pollIntervalSeconds)
        return min(TokenBucketPolicy.maximumRate, max(minimumPerMinute, load * headroom))
    }
}
