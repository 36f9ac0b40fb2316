import Foundation
import OrchestratorDomain
import OrchestratorPorts

/// The embedded cache: a dictionary with expiry, and local pub/sub.
///
/// Correct for a single replica only: wake-ups do not cross processes.
/// The time source is injectable so expiry is testable without sleeping.
public actor InProcessCache: CacheStore {
    public nonisolated let healthName = "inProcessCache"

    private struct Entry {
        var value: String
        var expiresAt: Double?
    }

    private var entries: [String: Entry] = [:]
    private var subscribers: [String: [UUID: AsyncStream<String>.Continuation]] = [:]
    private let now: @Sendable () -> Double
    private var writesSinceSweep = 0
    private var buckets: BucketTable
    private let bucketClockOrigin = ContinuousClock.now

    /// - Parameters:
    ///   - now: seconds since 1970; defaults to the wall clock.
    ///   - maximumBuckets: the most rate-limit buckets kept (idle ones are evicted first).
    public init(now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }, maximumBuckets: Int = 100_000) {
        self.now = now
        self.buckets = BucketTable(maximumKeys: maximumBuckets)
    }

    public func get(_ key: String) -> String? {
        live(key)?.value
    }

    public func getMany(_ keys: [String]) -> [String?] {
        keys.map { live($0)?.value }
    }

    public func set(_ key: String, value: String, ttlSeconds: Int?) {
        entries[key] = Entry(value: value, expiresAt: ttlSeconds.map { now() + Double(max(1, $0)) })
        sweepOccasionally()
    }

    public func setMany(_ entries: [(key: String, value: String)]) {
        for (key, value) in entries { set(key, value: value, ttlSeconds: nil) }
    }

    public func delete(_ key: String) {
        entries[key] = nil
    }

    public func increment(_ key: String, by delta: Int, ttlSeconds: Int?) -> Int {
        if var entry = live(key) {
            let updated = (Int(entry.value) ?? 0) + delta
            entry.value = String(updated)
            entries[key] = entry
            return updated
        }
        entries[key] = Entry(value: String(delta), expiresAt: ttlSeconds.map { now() + Double(max(1, $0)) })
        sweepOccasionally()
        return delta
    }

    /// Buckets refill on the monotonic clock, not the wall clock: a bucket never lets its refill
    /// time move back (so a clock stepping back mints nothing), and on the wall clock an NTP step
    /// back would freeze every bucket, and with it the whole API, until the clock caught up.
    public func takeTokens(_ key: String, cost: Int, policy: TokenBucketPolicy) -> TokenBucketDecision {
        let elapsed = ContinuousClock.now - bucketClockOrigin
        return buckets.take(
            key, cost: cost, policy: policy,
            at: Self.milliseconds(
                Double(elapsed.components.seconds)
                    + Double(elapsed.components.attoseconds) / 1e18))
    }

    /// The number of rate-limit buckets held (bounded by `maximumBuckets`).
    public var bucketCount: Int { buckets.count }

    /// Seconds as whole milliseconds, saturating for a clock outside `Int64`'s range.
    static func milliseconds(_ seconds: Double) -> Int64 {
        let value = (seconds * 1000).rounded(.down)
        guard value.isFinite else { return value > 0 ? .max : 0 }
        return value >= 9.2e18 ? .max : (value <= -9.2e18 ? .min : Int64(value))
    }

    public func publish(channel: String, message: String) {
        subscribers[channel]?.values.forEach { $0.yield(message) }
    }

    public func subscribe(channel: String) -> AsyncStream<String> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(PubSubBuffer.messages))
        subscribers[channel, default: [:]][id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(channel: channel, id: id) }
        }
        return stream
    }

    public func ping() {}

    private func unsubscribe(channel: String, id: UUID) {
        subscribers[channel]?[id] = nil
        if subscribers[channel]?.isEmpty == true { subscribers[channel] = nil }
    }

    private func live(_ key: String) -> Entry? {
        guard let entry = entries[key] else { return nil }
        if let expiresAt = entry.expiresAt, expiresAt <= now() {
            entries[key] = nil
            return nil
        }
        return entry
    }

    /// Drops expired entries every 1024 writes so memory stays bounded by live keys.
    private func sweepOccasionally() {
        writesSinceSweep += 1
        guard writesSinceSweep >= 1024 else { return }
        writesSinceSweep = 0
        let current = now()
        entries = entries.filter { $0.value.expiresAt.map { $0 > current } ?? true }
    }
}
