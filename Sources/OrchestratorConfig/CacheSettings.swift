/// Cache settings: Redis when `redis.url` is set, else in-process.
public struct CacheSettings: Sendable {
    /// `redis.url` — `redis://[:password@]host:6379[/db]`. Unset: in-process cache (single replica only).
    public var redisURL: String?
    /// `redis.keyPrefix` — namespace for keys and channels. Default `wasmorch:`.
    public var keyPrefix: String
    /// `redis.poolSize` — connections, and threads that may block on them. Default 4.
    public var poolSize: Int

    init(_ values: ConfigValues) throws {
        redisURL = values.string("redis.url", secret: true)
        if let url = redisURL, !url.hasPrefix("redis://") {
            throw ConfigurationError(key: "redis.url", problem: "must start with redis:// (TLS is not supported by hiredis 0.14)")
        }
        keyPrefix = values.string("redis.keyPrefix") ?? "wasmorch:"
        poolSize = try values.int("redis.poolSize", default: 4, range: 1...64)
    }
}
