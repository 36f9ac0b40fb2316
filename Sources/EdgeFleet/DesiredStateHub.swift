import Crypto
import Foundation
import Logging
import NIOConcurrencyHelpers
import OrchestratorDomain
import OrchestratorPorts
import ServiceLifecycle

/// Desired state for agents: memoised per node, invalidated and woken
/// through the cache's pub/sub, so a change made on any replica wakes the
/// long-polls held on every replica.
///
/// A held poll is a suspended continuation, not a thread. Memo entries also
/// expire after a few seconds, which bounds staleness if a notification is
/// lost (for example while Redis is down).
public final class DesiredStateHub: Service, Sendable {
    public static let channel = "desired-state"
    static let memoSeconds: Double = 5

    public struct Snapshot: Sendable, Equatable {
        public let modules: [DesiredModule]
        /// Strong ETag value (quoted), a hash of the canonical module list.
        public let etag: String
    }

    /// A memoised snapshot, valid only while the node's change counter still equals `counter`:
    /// a read that raced with a change can never be served after that change.
    private struct Memo {
        let snapshot: Snapshot
        let expires: Double
        let counter: UInt64
    }

    private let store: any NodeStore
    private let cache: any CacheStore
    private let now: @Sendable () -> Double
    private let logger: Logger
    private let memo = NIOLockedValueBox<[NodeID: Memo]>([:])
    /// Per node: a change counter and the held polls. One lock, so a poll
    /// that read the counter can never miss a change made before it waits.
    private struct Waiting {
        var versions: [NodeID: UInt64] = [:]
        /// Per node, oldest first.
        var held: [NodeID: [HeldPoll]] = [:]
        /// Held polls per holder (the caller's principal).
        var perHolder: [String: Int] = [:]
        /// Polls woken early to make room for a newer poll of the same node.
        var released: Set<UUID> = []
    }

    private struct HeldPoll {
        let id: UUID
        let holder: String
        let continuation: CheckedContinuation<Void, Never>
    }

    /// At most this many polls are held per node: a new poll of the node releases its oldest.
    public static let maxHeldPerNode = 4
    /// At most this many polls are held per caller (for example one operator's token watching many nodes).
    public static let maxHeldPerHolder = 100

    private let waiting = NIOLockedValueBox(Waiting())

    public init(store: any NodeStore, cache: any CacheStore, now: @escaping @Sendable () -> Double, logger: Logger) {
        self.store = store
        self.cache = cache
        self.now = now
        self.logger = logger
    }

    /// The node's desired state.
    public func snapshot(for node: NodeID) async throws -> Snapshot {
        let time = now()
        let counter = changeCounter(of: node)
        if let entry = memo.withLockedValue({ $0[node] }), entry.expires > time, entry.counter == counter { return entry.snapshot }
        let modules = try await store.desiredModules(of: node)
        let snapshot = Snapshot(modules: modules, etag: Self.etag(modules))
        if changeCounter(of: node) == counter {
            memo.withLockedValue { $0[node] = Memo(snapshot: snapshot, expires: time + Self.memoSeconds, counter: counter) }
        }
        return snapshot
    }

    /// Replaces the node's desired modules and wakes its pollers on every replica.
    public func setDesiredModules(_ modules: [DesiredModule], for node: NodeID) async throws {
        try await store.setDesiredModules(modules, for: node)
        await notifyChanged(node)
    }

    /// Tells every replica that `node`'s desired state changed.
    public func notifyChanged(_ node: NodeID) async {
        await notifyChanged([node])
    }

    /// Tells every replica that these nodes' desired state changed: the
    /// change is written already, so local polls are answered from one
    /// batched read, and other replicas get comma-separated id lists
    /// (at most ``idsPerMessage`` per message) instead of one message per node.
    public func notifyChanged(_ nodes: [NodeID]) async {
        await refresh(nodes)
        for start in stride(from: 0, to: nodes.count, by: Self.idsPerMessage) {
            let message = nodes[start..<min(nodes.count, start + Self.idsPerMessage)].map(\.value).joined(separator: ",")
            do {
                try await cache.publish(channel: Self.channel, message: message)
            } catch {
                logger.warning(
                    "could not publish a desired-state change; other replicas see it within the memo lifetime", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    static let idsPerMessage = 2000

    /// Invalidates `nodes`, preloads the ones with held polls in one query, then wakes them,
    /// so a fleet-wide change costs one read per replica instead of one per agent.
    private func refresh(_ nodes: [NodeID]) async {
        let (polled, before) = waiting.withLockedValue { waiting in
            (
                nodes.filter { waiting.held[$0]?.isEmpty == false },
                Dictionary(nodes.map { ($0, waiting.versions[$0] ?? 0) }, uniquingKeysWith: { a, _ in a })
            )
        }
        let loaded = polled.isEmpty ? nil : try? await store.desiredModules(of: polled)
        // Preloaded entries are stamped with the counter the bump below produces, and only
        // for nodes nobody else changed meanwhile (their read may predate that other change).
        let stamps = waiting.withLockedValue { waiting in
            Dictionary(
                nodes.compactMap { node in (waiting.versions[node] ?? 0) == before[node] ? (node, (before[node] ?? 0) &+ 1) : nil },
                uniquingKeysWith: { a, _ in a })
        }
        let expires = now() + Self.memoSeconds
        let polledSet = Set(polled)
        memo.withLockedValue { memo in
            for node in nodes {
                if let loaded, let stamp = stamps[node], polledSet.contains(node) {
                    let modules = loaded[node] ?? []
                    memo[node] = Memo(snapshot: Snapshot(modules: modules, etag: Self.etag(modules)), expires: expires, counter: stamp)
                } else {
                    memo[node] = nil
                }
            }
        }
        for node in nodes { bump(node) }
    }

    /// The node's change counter; pass it to ``waitForChange(of:since:timeout:)``.
    public func changeCounter(of node: NodeID) -> UInt64 {
        waiting.withLockedValue { $0.versions[node] ?? 0 }
    }

    /// Suspends until `node`'s state changed after `counter` was read, or `timeout` passes.
    ///
    /// Held polls are bounded (``maxHeldPerNode``, ``maxHeldPerHolder``), so no caller can
    /// hold thousands. Returns `false` when this poll was not held (its holder is at the cap)
    /// or was released early for a newer poll of the same node: answer it at once.
    @discardableResult
    public func waitForChange(of node: NodeID, since counter: UInt64, timeout: Duration, holder: String = "") async -> Bool {
        let id = UUID()
        let accepted = waiting.withLockedValue { waiting -> Bool in
            guard (waiting.perHolder[holder] ?? 0) < Self.maxHeldPerHolder else { return false }
            waiting.perHolder[holder, default: 0] += 1
            return true
        }
        guard accepted else { return false }
        defer {
            waiting.withLockedValue { waiting in
                let count = (waiting.perHolder[holder] ?? 1) - 1
                waiting.perHolder[holder] = count > 0 ? count : nil
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Cancellation (the timeout won) must resume the continuation whether it
                // happens before or after registration: the handler covers "after", the
                // check following registration covers "before".
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let (changed, evicted) = self.waiting.withLockedValue { waiting -> (Bool, HeldPoll?) in
                            guard (waiting.versions[node] ?? 0) == counter else { return (true, nil) }
                            var polls = waiting.held[node] ?? []
                            var evicted: HeldPoll?
                            if polls.count >= Self.maxHeldPerNode {
                                evicted = polls.removeFirst()
                                waiting.released.insert(evicted!.id)
                            }
                            polls.append(HeldPoll(id: id, holder: holder, continuation: continuation))
                            waiting.held[node] = polls
                            return (false, evicted)
                        }
                        evicted?.continuation.resume()
                        if changed {
                            continuation.resume()
                        } else if Task.isCancelled {
                            self.wake(node: node, only: id)
                        }
                    }
                } onCancel: {
                    self.wake(node: node, only: id)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
            }
            await group.next()
            group.cancelAll()
        }
        return waiting.withLockedValue { $0.released.remove(id) == nil }
    }

    private func invalidate(_ node: NodeID) {
        memo.withLockedValue { $0[node] = nil }
        bump(node)
    }

    /// Counts a change and wakes the node's held polls.
    private func bump(_ node: NodeID) {
        waiting.withLockedValue { $0.versions[node, default: 0] &+= 1 }
        wake(node: node, only: nil)
    }

    private func wake(node: NodeID, only id: UUID?) {
        let continuations = waiting.withLockedValue { waiting -> [CheckedContinuation<Void, Never>] in
            guard var polls = waiting.held[node] else { return [] }
            let taken: [HeldPoll]
            if let id {
                taken = polls.filter { $0.id == id }
                polls.removeAll { $0.id == id }
            } else {
                taken = polls
                polls.removeAll()
            }
            waiting.held[node] = polls.isEmpty ? nil : polls
            return taken.map(\.continuation)
        }
        continuations.forEach { $0.resume() }
    }

    /// Follows the pub/sub channel; on loss it retries with backoff.
    public func run() async throws {
        var backoff = 0.5
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let messages = try await cache.subscribe(channel: Self.channel)
                backoff = 0.5
                await cancelWhenGracefulShutdown {
                    for await message in messages {
                        let nodes = message.split(separator: ",").compactMap { NodeID(String($0)) }
                        if nodes.count == 1 { self.invalidate(nodes[0]) } else if !nodes.isEmpty { await self.refresh(nodes) }
                    }
                }
            } catch {
                logger.warning("desired-state subscription failed; retrying", metadata: ["error": "\(error)"])
            }
            let delay = backoff
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(delay)) }
            backoff = min(backoff * 2, 10)
        }
    }

    /// `"ds-<first 32 hex of SHA-256 of the canonical JSON>"`.
    static func etag(_ modules: [DesiredModule]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(modules.sorted { $0.name < $1.name })) ?? Data()
        let hex = ContentDigest(bytes: SHA256.hash(data: data)).hex
        return "\"ds-\(hex.prefix(32))\""
    }
}
