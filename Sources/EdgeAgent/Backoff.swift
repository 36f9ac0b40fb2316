/// Capped exponential backoff with full jitter (AWS architecture blog's "full jitter").
public struct Backoff: Sendable {
    public var base: Double
    public var cap: Double
    public private(set) var attempt = 0

    public init(base: Double = 0.5, cap: Double = 60) {
        self.base = base
        self.cap = cap
    }

    /// The next delay in seconds: uniform in [0, min(cap, base · 2^attempt)].
    public mutating func next() -> Double {
        let ceiling = min(cap, base * Double(1 << min(attempt, 30)))
        attempt += 1
        return Double.random(in: 0...ceiling)
    }

    public mutating func reset() { attempt = 0 }
}
