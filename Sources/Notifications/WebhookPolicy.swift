import OrchestratorDomain

/// The webhook sender's settings: the endpoints per environment, and how deliveries are retried and bounded.
public struct WebhookPolicy: Sendable {
    /// By environment.
    public var endpoints: [String: WebhookEndpoint]
    /// Attempts per delivery (the first included); then it is given up and logged.
    public var maxAttempts: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// One attempt's deadline.
    public var timeout: Duration
    /// Deliveries waiting to start, per endpoint; past it new ones are dropped and counted.
    public var queueCapacity: Int
    /// Deliveries in flight at once, per endpoint. A delivery keeps its slot through its retries and their backoff, so
    /// a dead receiver holds a slot for up to `maxAttempts × timeout` plus the waits, but only its own endpoint's.
    public var concurrency: Int

    public init(
        endpoints: [String: WebhookEndpoint], maxAttempts: Int = 6, initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(60),
        timeout: Duration = .seconds(10), queueCapacity: Int = 1000, concurrency: Int = 8
    ) {
        self.endpoints = endpoints
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.timeout = timeout
        self.queueCapacity = queueCapacity
        self.concurrency = concurrency
    }

    /// The delay before attempt `attempt + 1` (after `attempt` failures): exponential, capped, with "equal jitter"
    /// (half fixed, half random), so receivers recovering from an outage are not hit by every sender at once.
    public func backoff(afterAttempt attempt: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let exponential = initialBackoff * (1 << min(attempt - 1, 30))
        let capped = min(exponential, maxBackoff)
        return capped / 2 + capped / 2 * random
    }
}
