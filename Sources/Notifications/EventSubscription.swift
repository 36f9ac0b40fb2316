import Foundation

/// One open event stream: its events, ending on shutdown or ``close()``.
///
/// The bus forgets the subscription when it is closed or released, whichever comes first, so a response body
/// that never ran (or a handler that threw) cannot leave a subscription behind.
public final class EventSubscription: Sendable {
    public let events: AsyncStream<StreamItem>
    let id: UUID
    private let continuation: AsyncStream<StreamItem>.Continuation
    private let bus: EventBus

    /// What a stream carries: an event, or a keep-alive tick from the stream's own timer.
    public enum StreamItem: Sendable, Hashable {
        case event(StreamedEvent)
        case keepAlive
    }

    init(id: UUID, events: AsyncStream<StreamItem>, continuation: AsyncStream<StreamItem>.Continuation, bus: EventBus) {
        self.id = id
        self.events = events
        self.continuation = continuation
        self.bus = bus
    }

    /// Adds a keep-alive tick after the buffered events (the stream writes a comment line for it).
    public func tick() {
        continuation.yield(.keepAlive)
    }

    /// Ends the stream and releases its place in the limits. Idempotent.
    public func close() {
        continuation.finish()
        bus.remove(id)
    }

    deinit {
        continuation.finish()
        bus.remove(id)
    }
}
