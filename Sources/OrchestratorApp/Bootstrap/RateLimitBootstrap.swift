import Foundation
import InProcessCache
import Logging
import Operations
import OrchestratorAPI
import OrchestratorConfig
import OrchestratorDomain
import RedisCache

/// The rate limiter over the selected cache, or `nil` when `rateLimits.enabled` is false.
///
/// With Redis, buckets live in Redis (shared by every replica) and a bounded in-process
/// store takes over while Redis fails. Without Redis, the bounded in-process store is
/// the only one: limits hold per replica, which is all there is.
public func makeRateLimiter(settings: OrchestratorSettings, backends: Backends, logger: Logger) -> RateLimiter? {
    guard settings.rateLimits.enabled else { return nil }
    let local = InProcessCache(maximumBuckets: settings.rateLimits.maxBuckets)
    let redis = backends.cache as? RedisCache
    return RateLimiter(
        policies: settings.rateLimits.policies, shared: redis ?? local, fallback: redis == nil ? nil : local, logger: logger,
        now: { Date().timeIntervalSince1970 })
}
