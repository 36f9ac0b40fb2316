import Foundation
import Logging
import Notifications
import OrchestratorApp
import OrchestratorDomain
import OrchestratorPorts
import ServiceLifecycle
import Testing

/// Two replicas' event buses over one cache: what one publishes, the other's streams receive (Redis pub/sub, or in-process).
@Suite("Event fan-out across replicas")
struct EventFanOutTests {
    static func event(_ id: String) -> OrchestratorEvent {
        OrchestratorEvent(
            type: .node(.enabled), time: 0, data: .node(NodeEventData(nodeID: id, environment: "production", health: .healthy)))
    }

    @Test("a stream on replica B receives replica A's event; a filter for other types does not", arguments: CacheBackend.available)
    func acrossReplicas(_ backend: CacheBackend) async throws {
        try await backend.withCache { cache in
            let logger = Logger(label: "test.events")
            let a = EventBus(cache: cache, webhooks: nil, metrics: ServerMetrics().factory, logger: logger)
            let b = EventBus(cache: cache, webhooks: nil, metrics: ServerMetrics().factory, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await a.run() }
                group.addTask { try await b.run() }
                defer { group.cancelAll() }
                let nodes = try b.subscribe(holder: "viewer", filter: ["node"])
                let deployments = try b.subscribe(holder: "viewer", filter: ["deployment"])
                // B follows the channel once its subscription is up: publish until an event arrives (the stream is at-most-once).
                let received = try await withThrowingTaskGroup(of: StreamedEvent?.self) { inner in
                    inner.addTask {
                        for await item in nodes.events { if case .event(let event) = item { return event } }
                        return nil
                    }
                    inner.addTask {
                        for round in 0..<200 {
                            a.publish(Self.event("n\(round)"))
                            try await Task.sleep(for: .milliseconds(25))
                        }
                        return nil
                    }
                    defer { inner.cancelAll() }
                    return try await inner.next() ?? nil
                }
                let event = try #require(received)
                #expect(event.type == "io.wasmorchestrator.node.enabled")
                #expect(event.json.contains(#""nodeId":"n"#) && event.frame.hasPrefix("id: \(event.id)\nevent: \(event.type)\ndata: {"))
                #expect(b.streamCount == 2)
                deployments.close()
                var leaked = 0
                for await item in deployments.events { if case .event = item { leaked += 1 } }
                #expect(leaked == 0, "the deployment filter let a node event through")
                nodes.close()
                #expect(b.streamCount == 0)
                #expect(a.streamCount == 0)
            }
        }
    }

    /// The value of the sample line starting with `prefix` (0 when absent).
    static func value(_ prefix: String, in exposition: String) -> Double {
        exposition.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) } ?? 0
    }

    @Test("only the producing replica sends the webhook, though both replicas stream the event", arguments: CacheBackend.available)
    func webhooksOnlyFromProducer(_ backend: CacheBackend) async throws {
        try await backend.withCache { cache in
            let logger = Logger(label: "test.events")
            // Nothing listens on port 1: each attempt fails within its 0.5 s timeout, and each replica's own metrics say whether it tried.
            let endpoint = WebhookEndpoint(url: "http://127.0.0.1:1/hook", secret: UUID().uuidString, types: [.node(.enabled)])
            let policy = WebhookPolicy(endpoints: ["production": endpoint], maxAttempts: 1, timeout: .milliseconds(500))
            let (metricsA, metricsB) = (ServerMetrics(), ServerMetrics())
            let hooksA = WebhookDispatcher(policy: policy, metrics: metricsA.factory, logger: logger)
            let hooksB = WebhookDispatcher(policy: policy, metrics: metricsB.factory, logger: logger)
            let a = EventBus(cache: cache, webhooks: hooksA, metrics: metricsA.factory, logger: logger)
            let b = EventBus(cache: cache, webhooks: hooksB, metrics: metricsB.factory, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                let services: [any Service] = [a, b, hooksA, hooksB]
                for service in services { group.addTask { try await service.run() } }
                defer { group.cancelAll() }
                let stream = try b.subscribe(holder: "viewer", filter: [])
                let received = try await withThrowingTaskGroup(of: Bool.self) { inner in
                    inner.addTask {
                        for await item in stream.events { if case .event = item { return true } }
                        return false
                    }
                    inner.addTask {
                        for round in 0..<200 {
                            a.publish(Self.event("n\(round)"))
                            try await Task.sleep(for: .milliseconds(25))
                        }
                        return false
                    }
                    defer { inner.cancelAll() }
                    return try await inner.next() ?? false
                }
                #expect(received, "replica B streams A's event")
                let failed = #"wasm_webhook_deliveries_total{outcome="failed"} "#
                let end = ContinuousClock.now + .seconds(30)
                while Self.value(failed, in: metricsA.render()) == 0 && ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(20)) }
                #expect(Self.value(failed, in: metricsA.render()) > 0, "replica A attempted its webhooks")
                #expect(Self.value(failed, in: metricsB.render()) == 0, "replica B sent none: \(metricsB.render())")
                stream.close()
            }
        }
    }
}
