import AsyncHTTPClient
import CoreMetrics
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import OrchestratorDomain
import OrchestratorPorts
import ServiceLifecycle

/// Sends this replica's events to the configured webhooks, in the background.
///
/// ``enqueue(_:)`` never waits: a delivery goes into its endpoint's bounded queue (full: dropped, counted as
/// `wasm_webhook_deliveries_total{outcome="dropped"}` and logged). ``run()`` sends up to ``WebhookPolicy/concurrency``
/// at once **per endpoint**, so a receiver that is down or slow delays only its own deliveries, never another
/// environment's. Each is sent as CloudEvents structured JSON, signed (``WebhookSignature``); a 2xx answer delivers it, a network error, a
/// timeout, 408, 429 or 5xx is retried with backoff and jitter up to ``WebhookPolicy/maxAttempts``, any other answer
/// gives up at once. Every failed attempt counts in `wasm_webhook_delivery_failures_total`; the final outcome in
/// `wasm_webhook_deliveries_total{outcome="delivered"|"failed"|"dropped"}`. Deliveries still queued or waiting for a
/// retry at shutdown are lost (logged): webhooks are at-least-once while the process runs, not across restarts.
public final class WebhookDispatcher: Service, Sendable {
    public let policy: WebhookPolicy
    private let http: HTTPClient
    private let logger: Logger
    private let now: @Sendable () -> Double
    /// One queue per endpoint, by environment: the unit of isolation.
    private let lanes: [String: Lane]
    private let delivered: Counter
    private let failed: Counter
    private let dropped: Counter
    private let attemptFailures: Counter

    /// An endpoint's queue of deliveries waiting for one of its slots.
    struct Lane: Sendable {
        let queue: AsyncStream<Delivery>
        let continuation: AsyncStream<Delivery>.Continuation

        init(capacity: Int) {
            (queue, continuation) = AsyncStream.makeStream(of: Delivery.self, bufferingPolicy: .bufferingOldest(capacity))
        }
    }

    struct Delivery: Sendable {
        let endpoint: WebhookEndpoint
        let environment: String
        let eventID: String
        let type: String
        let body: String
    }

    /// - Parameters:
    ///   - http: the HTTP client (the shared one in production; it outlives the server).
    ///   - metrics: the server's metrics factory.
    public init(
        policy: WebhookPolicy, http: HTTPClient = .shared, metrics: any MetricsFactory,
        now: @escaping @Sendable () -> Double = {
            Date().timeIntervalSince1970
        }, logger: Logger
    ) {
        self.policy = policy
        self.http = http
        self.logger = logger
        self.now = now
        lanes = policy.endpoints.mapValues { _ in Lane(capacity: policy.queueCapacity) }
        delivered = Counter(label: "wasm_webhook_deliveries_total", dimensions: [("outcome", "delivered")], factory: metrics)
        failed = Counter(label: "wasm_webhook_deliveries_total", dimensions: [("outcome", "failed")], factory: metrics)
        dropped = Counter(label: "wasm_webhook_deliveries_total", dimensions: [("outcome", "dropped")], factory: metrics)
        attemptFailures = Counter(label: "wasm_webhook_delivery_failures_total", factory: metrics)
    }

    /// Queues `envelope` for its environment's webhook when that webhook wants its type.
    public func enqueue(_ envelope: CloudEvent) {
        let environment = envelope.event.environment
        guard let endpoint = policy.endpoints[environment], endpoint.types.contains(envelope.event.type), let lane = lanes[environment] else {
            return
        }
        let delivery = Delivery(
            endpoint: endpoint, environment: environment, eventID: envelope.id, type: envelope.event.type.name, body: envelope.json)
        if case .dropped = lane.continuation.yield(delivery) {
            dropped.increment()
            logger.warning("webhook queue full; event dropped", metadata: ["event": "\(envelope.id)", "type": "\(delivery.type)"])
        }
    }

    public func run() async throws {
        // A service that returned would end the service group: with no endpoint, there is only the shutdown to wait for.
        guard !lanes.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        var left = await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Int.self) { group in
                for lane in self.lanes.values { group.addTask { await self.drain(lane) } }
                return await group.reduce(0, +)
            }
        }
        for lane in lanes.values {
            lane.continuation.finish()
            for await _ in lane.queue { left += 1 }
        }
        if left > 0 { logger.warning("webhook deliveries lost at shutdown", metadata: ["queued": "\(left)"]) }
    }

    /// Sends one endpoint's deliveries, at most ``WebhookPolicy/concurrency`` at once, until cancelled; returns how many it
    /// took from the queue but did not start (0 or 1).
    private func drain(_ lane: Lane) async -> Int {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for await delivery in lane.queue {
                // After shutdown began, buffered deliveries stay queued: counted once as lost by run(), not started
                // in a cancelled task only to fail.
                guard !Task.isCancelled else { return 1 }
                if running >= policy.concurrency {
                    await group.next()
                    running -= 1
                }
                group.addTask { await self.deliver(delivery) }
                running += 1
            }
            return 0
        }
    }

    /// Attempts `delivery` until it is delivered, refused for good, or out of attempts.
    func deliver(_ delivery: Delivery) async {
        var metadata: Logger.Metadata = ["event": "\(delivery.eventID)", "type": "\(delivery.type)", "environment": "\(delivery.environment)"]
        for attempt in 1...policy.maxAttempts {
            let reason: String
            var retryable = true
            switch await attemptOnce(delivery) {
            case .delivered:
                delivered.increment()
                return
            case .retryable(let why): reason = why
            case .permanent(let why):
                reason = why
                retryable = false
            }
            attemptFailures.increment()
            metadata["attempt"] = "\(attempt)"
            metadata["reason"] = "\(reason)"
            guard retryable, attempt < policy.maxAttempts else { break }
            logger.info("webhook delivery failed; will retry", metadata: metadata)
            do {
                try await Task.sleep(for: policy.backoff(afterAttempt: attempt))
            } catch {
                logger.warning("webhook delivery lost at shutdown", metadata: metadata)
                return
            }
        }
        guard !Task.isCancelled else {
            logger.warning("webhook delivery lost at shutdown", metadata: metadata)
            return
        }
        failed.increment()
        logger.warning("webhook delivery given up", metadata: metadata)
    }

    enum AttemptResult: Sendable {
        case delivered
        case retryable(String)
        case permanent(String)
    }

    private func attemptOnce(_ delivery: Delivery) async -> AttemptResult {
        let timestamp = Int(now())
        var request = HTTPClientRequest(url: delivery.endpoint.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/cloudevents+json")
        request.headers.add(name: WebhookSignature.timestampHeader, value: "\(timestamp)")
        let signature = WebhookSignature.sign(body: delivery.body, timestamp: timestamp, secret: delivery.endpoint.secret)
        request.headers.add(name: WebhookSignature.signatureHeader, value: signature)
        request.headers.add(name: "User-Agent", value: "wasm-orchestrator-webhooks")
        request.body = .bytes(ByteBuffer(string: delivery.body))
        do {
            // One deadline for the head and the body: AsyncHTTPClient's own timeout ends at the head, so a receiver
            // that stalls its body would otherwise hold a delivery slot for ever.
            let (http, timeout, prepared) = (http, policy.timeout, request)
            let code = try await withDeadline(timeout) {
                let response = try await http.execute(prepared, timeout: TimeAmount(timeout))
                _ = try? await response.body.collect(upTo: 64 * 1024)
                return Int(response.status.code)
            }
            switch code {
            case 200..<300: return .delivered
            case 408, 429, 500...: return .retryable("HTTP \(code)")
            default: return .permanent("HTTP \(code)")
            }
        } catch {
            return .retryable("\(type(of: error))")
        }
    }
}
