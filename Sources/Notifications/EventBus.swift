import CoreMetrics
import Foundation
import Logging
import NIOConcurrencyHelpers
import OrchestratorDomain
import OrchestratorPorts
import ServiceLifecycle

/// The server's events: what use cases publish, fanned out to the event streams of every replica.
///
/// ``publish(_:)`` never waits: it wraps the event in its CloudEvents envelope, hands it to this replica's
/// webhooks (only the producing replica sends them) and to a bounded buffer that ``run()`` publishes on the cache's
/// `events` channel (Redis pub/sub across replicas, in-process on the embedded default). Every replica follows the
/// channel and copies each envelope into the bounded buffer of each matching local stream. A full buffer drops its
/// oldest event and counts it in `wasm_events_dropped_total{stage}`; the event stream is at-most-once.
/// When the cache cannot publish, the envelope still reaches this replica's own streams.
public final class EventBus: EventPublisher, Service, Sendable {
    public static let channel = "events"
    public let limits: EventStreamLimits
    private let cache: any CacheStore
    private let webhooks: WebhookDispatcher?
    private let logger: Logger
    private let outbound: AsyncStream<CloudEvent>
    private let outboundContinuation: AsyncStream<CloudEvent>.Continuation
    private let droppedBeforePublish: Counter
    private let droppedForSlowStream: Counter

    private struct Subscriber {
        let holder: String
        let filter: [String]
        let continuation: AsyncStream<EventSubscription.StreamItem>.Continuation
    }

    private struct State {
        var subscribers: [UUID: Subscriber] = [:]
        var perHolder: [String: Int] = [:]
        var closed = false
    }

    private let state = NIOLockedValueBox(State())

    /// - Parameters:
    ///   - webhooks: this replica's webhook sender (`nil`: no webhooks configured).
    ///   - metrics: the server's metrics factory, for the drop counters.
    public init(
        cache: any CacheStore, webhooks: WebhookDispatcher?, limits: EventStreamLimits = EventStreamLimits(), metrics: any MetricsFactory,
        logger: Logger
    ) {
        self.cache = cache
        self.webhooks = webhooks
        self.limits = limits
        self.logger = logger
        (outbound, outboundContinuation) = AsyncStream.makeStream(of: CloudEvent.self, bufferingPolicy: .bufferingNewest(limits.publishBuffer))
        droppedBeforePublish = Counter(label: "wasm_events_dropped_total", dimensions: [("stage", "publish")], factory: metrics)
        droppedForSlowStream = Counter(label: "wasm_events_dropped_total", dimensions: [("stage", "stream")], factory: metrics)
    }

    // MARK: Publishing

    public func publish(_ event: OrchestratorEvent) {
        let envelope = CloudEvent(id: UUID().uuidString.lowercased(), time: RFC3339.format(event.time), event: event)
        webhooks?.enqueue(envelope)
        if case .dropped = outboundContinuation.yield(envelope) { droppedBeforePublish.increment() }
    }

    // MARK: Streams

    /// Opens a stream of the events `filter` selects (short type prefixes; empty: all) for `holder` (the token's subject).
    public func subscribe(holder: String, filter: [String]) throws(EventStreamRefusal) -> EventSubscription {
        let id = UUID()
        let (events, continuation) = AsyncStream.makeStream(
            of: EventSubscription.StreamItem.self, bufferingPolicy: .bufferingNewest(limits.bufferPerStream))
        let refusal = state.withLockedValue { state -> EventStreamRefusal? in
            if state.closed { return .shuttingDown }
            if state.subscribers.count >= limits.maxStreams { return .tooManyStreams(limit: limits.maxStreams) }
            if state.perHolder[holder, default: 0] >= limits.maxPerPrincipal { return .tooManyForPrincipal(limit: limits.maxPerPrincipal) }
            state.subscribers[id] = Subscriber(holder: holder, filter: filter, continuation: continuation)
            state.perHolder[holder, default: 0] += 1
            return nil
        }
        if let refusal {
            continuation.finish()
            throw refusal
        }
        return EventSubscription(id: id, events: events, continuation: continuation, bus: self)
    }

    /// The streams open on this replica.
    public var streamCount: Int { state.withLockedValue { $0.subscribers.count } }

    func remove(_ id: UUID) {
        state.withLockedValue { state in
            guard let subscriber = state.subscribers.removeValue(forKey: id) else { return }
            let count = state.perHolder[subscriber.holder, default: 1] - 1
            state.perHolder[subscriber.holder] = count > 0 ? count : nil
        }
    }

    private func deliverLocally(_ event: StreamedEvent) {
        let targets = state.withLockedValue { state in state.subscribers.values.filter { event.matches($0.filter) }.map(\.continuation) }
        for continuation in targets {
            if case .dropped = continuation.yield(.event(event)) { droppedForSlowStream.increment() }
        }
    }

    // MARK: Running

    /// Publishes the buffered envelopes and follows the channel until shutdown; then ends every open stream.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.forward() }
                group.addTask { await self.follow() }
            }
        }
        let open = state.withLockedValue { state in
            state.closed = true
            return state.subscribers.values.map(\.continuation)
        }
        open.forEach { $0.finish() }
        outboundContinuation.finish()
    }

    private func forward() async {
        for await envelope in outbound {
            do {
                try await cache.publish(channel: Self.channel, message: envelope.json)
            } catch {
                logger.warning("could not publish an event to the other replicas; only this one streams it", metadata: ["error": "\(error)"])
                deliverLocally(StreamedEvent(envelope))
            }
        }
    }

    /// Follows the channel; on loss it subscribes again with backoff (events published meanwhile are not streamed).
    private func follow() async {
        var backoff = 0.5
        while !Task.isCancelled {
            do {
                let messages = try await cache.subscribe(channel: Self.channel)
                backoff = 0.5
                for await message in messages {
                    guard let event = StreamedEvent(message: message) else { continue }
                    deliverLocally(event)
                }
            } catch {
                logger.warning("event subscription failed; retrying", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(backoff))
            backoff = min(backoff * 2, 10)
        }
    }
}
