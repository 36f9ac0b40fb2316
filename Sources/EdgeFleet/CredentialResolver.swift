import NIOConcurrencyHelpers
import OrchestratorDomain
import OrchestratorPorts

/// Resolves node credentials to their node, caching hits for
/// ``FleetSettings/credentialCacheSeconds`` so the agent hot path (polls,
/// heartbeats) costs one SHA-256 and a locked dictionary lookup.
///
/// Rotation, deregistration and admission changes evict the entry on the
/// replica that handled them; other replicas stop accepting the old
/// credential within the cache lifetime. Misses are not cached, so a new
/// credential works at once.
public final class CredentialResolver: Sendable {
    private struct Entry {
        let owner: NodeCredentialOwner
        let expires: Double
    }

    private let store: any NodeStore
    private let ttl: Double
    private let now: @Sendable () -> Double
    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    private static let maxEntries = 200_000

    public init(store: any NodeStore, ttlSeconds: Double, now: @escaping @Sendable () -> Double) {
        self.store = store
        self.ttl = ttlSeconds
        self.now = now
    }

    /// The node owning `credential`, or `nil` when none does.
    public func resolve(_ credential: String) async throws -> NodeCredentialOwner? {
        let hash = Secrets.hash(credential)
        let time = now()
        if let entry = entries.withLockedValue({ $0[hash] }), entry.expires > time { return entry.owner }
        guard let owner = try await store.credentialOwner(hash: hash) else { return nil }
        entries.withLockedValue { entries in
            if entries.count >= Self.maxEntries { entries.removeAll(keepingCapacity: true) }
            entries[hash] = Entry(owner: owner, expires: time + ttl)
        }
        return owner
    }

    /// Forgets every cached credential of `node`.
    public func evict(node: NodeID) {
        entries.withLockedValue { entries in entries = entries.filter { $0.value.owner.nodeID != node } }
    }
}
