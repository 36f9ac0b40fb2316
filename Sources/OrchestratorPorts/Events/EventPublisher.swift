import OrchestratorDomain

/// Where use cases publish what happened, after their commit.
///
/// `publish` never blocks, never throws and never fails the transition that calls it: an implementation buffers
/// (bounded, dropping and counting when full) and delivers in the background.
public protocol EventPublisher: Sendable {
    /// Hands `event` over for delivery (the event stream on every replica, and this replica's webhooks).
    func publish(_ event: OrchestratorEvent)
}

extension EventPublisher {
    public func publish(_ events: [OrchestratorEvent]) {
        for event in events { publish(event) }
    }
}

/// Publishes nowhere: for use cases built without the event bus (tools, and tests that do not look at events).
public struct DiscardingEventPublisher: EventPublisher {
    public init() {}
    public func publish(_ event: OrchestratorEvent) {}
}
