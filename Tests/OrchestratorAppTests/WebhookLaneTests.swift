import Foundation
import Logging
import Notifications
import OrchestratorApp
import OrchestratorDomain
import Testing

/// A receiver that is down holds only its own endpoint's slots.
@Suite("Webhook endpoints are isolated")
struct WebhookLaneTests {
    static func envelope(_ environment: String) -> CloudEvent {
        CloudEvent(
            id: UUID().uuidString, time: "2026-12-01T00:00:00Z",
            event: OrchestratorEvent(
                type: .node(.enabled), time: 0, data: .node(NodeEventData(nodeID: "edge-1", environment: environment, health: .healthy))))
    }

    @Test("while production's receiver hangs in its only slot, staging's webhook is still delivered")
    func hangingEndpointDelaysOnlyItself() async throws {
        let dead = WebhookDeliveryTests.Receiver(hangs: true)
        let healthy = WebhookDeliveryTests.Receiver()
        try await dead.serve { deadPort in
            try await healthy.serve { healthyPort in
                let policy = WebhookPolicy(
                    endpoints: [
                        "production": WebhookEndpoint(url: "http://127.0.0.1:\(deadPort)/hook", secret: "p-secret", types: [.node(.enabled)]),
                        "staging": WebhookEndpoint(url: "http://127.0.0.1:\(healthyPort)/hook", secret: "s-secret", types: [.node(.enabled)]),
                    ], maxAttempts: 1, timeout: .seconds(120), concurrency: 1)
                let dispatcher = WebhookDispatcher(policy: policy, metrics: ServerMetrics().factory, logger: Logger(label: "test.webhooks"))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await dispatcher.run() }
                    defer { group.cancelAll() }
                    dispatcher.enqueue(Self.envelope("production"))
                    dispatcher.enqueue(Self.envelope("production"))
                    let hanging = try await WebhookDeliveryTests.waitUntil { dead.deliveries.count == 1 }
                    #expect(hanging, "production's first delivery hangs")
                    dispatcher.enqueue(Self.envelope("staging"))
                    let delivered = try await WebhookDeliveryTests.waitUntil { healthy.deliveries.count == 1 }
                    #expect(delivered, "staging is delivered while production's only slot is held")
                    #expect(dead.deliveries.count == 1, "production's second delivery still waits for its own slot")
                }
            }
        }
    }
}
