import CoreMetrics
import Logging
import Notifications
import OrchestratorConfig
import ServiceLifecycle

/// The event bus the use cases publish to, and the webhook sender behind it (only when a webhook is configured).
///
/// Part of ``buildApplication(settings:logger:onServerRunning:)``'s wiring: both are services; the bus is handed to
/// the node and deployment use cases (their `events`) and to the event stream's controller.
public struct NotificationWiring: Sendable {
    public let events: EventBus
    /// In start order: the webhook sender (when configured), then the bus.
    public let services: [any Service]

    public init(settings: OrchestratorSettings, backends: Backends, metrics: any MetricsFactory, logger: Logger) {
        let config = settings.notifications
        var services: [any Service] = []
        var webhooks: WebhookDispatcher?
        if !config.webhooks.isEmpty {
            let policy = WebhookPolicy(
                endpoints: config.webhooks, maxAttempts: config.maxAttempts, initialBackoff: .milliseconds(config.initialBackoffMilliseconds),
                maxBackoff: .milliseconds(config.maxBackoffMilliseconds), timeout: .milliseconds(config.timeoutMilliseconds),
                queueCapacity: config.queueCapacity, concurrency: config.concurrency)
            let dispatcher = WebhookDispatcher(policy: policy, metrics: metrics, logger: logger)
            services.append(dispatcher)
            webhooks = dispatcher
        }
        let limits = EventStreamLimits(
            maxPerPrincipal: config.maxStreamsPerPrincipal, maxStreams: config.maxStreams, keepAlive: .milliseconds(config.keepAliveMilliseconds))
        events = EventBus(cache: backends.cache, webhooks: webhooks, limits: limits, metrics: metrics, logger: logger)
        services.append(events)
        self.services = services
    }
}
