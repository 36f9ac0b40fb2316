import Foundation
import Logging
import OrchestratorDomain
import OrchestratorPorts
import ServiceLifecycle

/// Revokes tokens and keeps this replica's ``RevocationList`` current.
///
/// A revocation is written to the metadata store (durable, with its audit
/// event), added to the local list at once and published on the cache's
/// ``channel``; every replica follows that channel (Redis: well under a
/// second) and also reconciles from the store every `reconcileInterval`
/// and after each (re)subscription, so a missed message or a restarted
/// replica still learns every revocation. Verification itself only reads
/// the in-memory list.
public struct TokenRevocations: Service {
    /// The pub/sub channel; a message is `"<expiresAt> <jti>"`.
    public static let channel = "auth.revocations"

    let store: any MetadataStore
    let cache: any CacheStore
    public let list: RevocationList
    let maxLifetimeSeconds: Int
    let reconcileInterval: Duration
    let isReady: @Sendable () -> Bool
    let now: @Sendable () -> Double
    let logger: Logger

    public init(
        store: any MetadataStore, cache: any CacheStore, list: RevocationList, maxLifetimeSeconds: Int, reconcileSeconds: Double = 10,
        isReady: @escaping @Sendable () -> Bool = { true }, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
        logger: Logger
    ) {
        self.store = store
        self.cache = cache
        self.list = list
        self.maxLifetimeSeconds = maxLifetimeSeconds
        self.reconcileInterval = .milliseconds(Int64(max(0.05, reconcileSeconds) * 1000))
        self.isReady = isReady
        self.now = now
        self.logger = logger
    }

    /// Why a revocation was refused.
    public enum Refusal: Error, Sendable, Equatable {
        /// Not an admin, and not the caller's own token.
        case forbidden
        /// The id is not a possible `jti`.
        case invalidTokenID
    }

    /// Revokes `tokenID` on behalf of `principal`; idempotent.
    ///
    /// The entry is kept until the caller's own token expires when it revokes
    /// itself; otherwise the token is not at hand, so it is kept for the
    /// maximum token lifetime, after which no token with that id can still be valid.
    @discardableResult
    public func revoke(_ tokenID: String, by principal: Principal, requestID: String?) async throws -> TokenRevocation {
        guard TokenID.isValid(tokenID) else { throw Refusal.invalidTokenID }
        let time = now()
        guard AccessPolicy.allows(principal, .revokeToken(tokenID)) else {
            try? await store.appendAudit(event(principal, tokenID, .denied, requestID, at: time))
            throw Refusal.forbidden
        }
        let own = principal.tokenID == tokenID
        let expiresAt = own ? (principal.expiresAt ?? time + Double(maxLifetimeSeconds)) : time + Double(maxLifetimeSeconds)
        let revocation = TokenRevocation(tokenID: tokenID, revokedBy: principal.subject, revokedAt: time, expiresAt: expiresAt)
        try await store.revoke(revocation, audit: event(principal, tokenID, .success, requestID, at: time))
        list.insert(tokenID, until: expiresAt)
        do {
            try await cache.publish(channel: Self.channel, message: "\(expiresAt) \(tokenID)")
        } catch {
            logger.warning("revocation not published; other replicas learn it at their next reconcile", metadata: ["error": "\(error)"])
        }
        return revocation
    }

    /// Reads every active revocation from the store into the list (and forgets expired ones).
    public func reconcile() async throws {
        let time = now()
        let active = try await store.revocations(activeAt: time)
        list.merge(active.map { ($0.tokenID, $0.expiresAt) }, now: time)
    }

    public func run() async throws {
        while !isReady() && !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(50)) }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.follow() }
            group.addTask { await self.reconcileLoop() }
            await group.waitForAll()
        }
    }

    /// Applies published revocations; after each (re)subscription, reconciles (messages may have been missed).
    private func follow() async {
        var backoff = 0.5
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let messages = try await cache.subscribe(channel: Self.channel)
                backoff = 0.5
                try? await reconcile()
                await cancelWhenGracefulShutdown {
                    for await message in messages { self.apply(message) }
                }
            } catch {
                logger.warning("revocation subscription failed; retrying", metadata: ["error": "\(error)"])
            }
            let delay = backoff
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(delay)) }
            backoff = min(backoff * 2, 10)
        }
    }

    private func reconcileLoop() async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await reconcile()
                try await store.purgeRevocations(expiredBefore: now())
            } catch {
                logger.warning("revocation reconcile failed; keeping the current list", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: reconcileInterval) }
        }
    }

    /// `"<expiresAt> <jti>"`; anything else is ignored.
    func apply(_ message: String) {
        let parts = message.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let expiresAt = Double(parts[0]), expiresAt.isFinite, TokenID.isValid(String(parts[1])) else { return }
        list.insert(String(parts[1]), until: expiresAt)
    }

    private func event(_ principal: Principal, _ tokenID: String, _ outcome: AuditEvent.Outcome, _ requestID: String?, at time: Double) -> AuditEvent
    {
        AuditEvent(
            actor: principal.subject, action: "auth.token.revoke", target: "token:\(tokenID)", outcome: outcome, requestID: requestID,
            occurredAt: time, actors: principal.actors)
    }
}
