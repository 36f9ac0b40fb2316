import Crypto
import FleetSimulation
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import OrchestratorDomain
import Testing

/// Outgoing webhooks against a real receiver: a tiny Hummingbird app on a free loopback port.
@Suite("Webhook delivery")
struct WebhookDeliveryTests {
    /// What the receiver got, and how it answers.
    final class Receiver: Sendable {
        struct Delivery: Sendable {
            let body: String
            let timestamp: String?
            let signature: String?
            let contentType: String?
        }

        private let state = NIOLockedValueBox<(deliveries: [Delivery], released: Bool)>(([], false))
        /// The status of the n-th answer (1-based); past the list 200.
        let statuses: [Int]
        /// Hold every request until ``release()``.
        let hangs: Bool

        init(statuses: [Int] = [], hangs: Bool = false) {
            self.statuses = statuses
            self.hangs = hangs
        }

        var deliveries: [Delivery] { state.withLockedValue { $0.deliveries } }
        func release() { state.withLockedValue { $0.released = true } }

        func handle(_ request: Request) async throws -> Response {
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let delivery = Delivery(
                body: body, timestamp: request.headers[HTTPField.Name("X-Wasm-Orchestrator-Timestamp")!],
                signature: request.headers[HTTPField.Name("X-Wasm-Orchestrator-Signature")!], contentType: request.headers[.contentType])
            let count = state.withLockedValue {
                $0.deliveries.append(delivery)
                return $0.deliveries.count
            }
            while hangs && !state.withLockedValue({ $0.released }) { try await Task.sleep(for: .milliseconds(20)) }
            let status = count <= statuses.count ? statuses[count - 1] : 200
            return Response(status: .init(code: status))
        }

        /// Runs the receiver on a free port for `body`.
        func serve(_ body: @Sendable @escaping (Int) async throws -> Void) async throws {
            let router = Router()
            router.post("/hook") { request, _ in try await self.handle(request) }
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            defer { release() }
            try await app.test(.live) { client in
                try await body(try #require(client.port))
                self.release()
            }
        }
    }

    /// Server settings with the production webhook at the receiver; the secret is made per test run.
    static func environment(port: Int, secret: String, extra: [String: String] = [:]) -> [String: String] {
        [
            "WEBHOOKS_PRODUCTION_URL": "http://127.0.0.1:\(port)/hook", "WEBHOOKS_PRODUCTION_SECRET": secret,
            "WEBHOOKS_PRODUCTION_TYPES": "deployment.approval-requested", "WEBHOOKS_INITIAL_BACKOFF_MILLISECONDS": "20",
        ].merging(extra) { $1 }
    }

    /// The receiver's check, written from the documented rule (not the server's code): HMAC-SHA256 over `timestamp.body`.
    static func verifies(_ delivery: Receiver.Delivery, secret: String) -> Bool {
        guard let timestamp = delivery.timestamp, let signature = delivery.signature else { return false }
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(delivery.body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return signature == "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func metrics(_ client: any TestClientProtocol) async throws -> String {
        try await client.execute(uri: "/metrics", method: .get) { $0.text }
    }

    static func waitUntil(seconds: Double = 30, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < end {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    @Test("approval needed: a signed CloudEvent; a 500 is retried and the same event then delivered; counted in the metrics")
    func signedAndRetried() async throws {
        let receiver = Receiver(statuses: [500])
        let secret = UUID().uuidString
        try await receiver.serve { port in
            try await TestServer(environment: Self.environment(port: port, secret: secret)).run { client, server in
                let developer = try await server.token(subject: "dev", role: .deployer)
                let admin = try await server.token(subject: "ops", role: .admin)
                _ = try await SimulatedFleet.enroll(client, admin: admin, ids: ["edge-1"])
                _ = try await DeploymentEndpointTests.upload(client, developer)
                let id = try await DeploymentEndpointTests.create(client, developer, DeploymentEndpointTests.deploymentBody())
                #expect(try await Self.waitUntil { receiver.deliveries.count >= 2 })
                let deliveries = receiver.deliveries
                #expect(deliveries.count == 2, "one retry after the 500, nothing else subscribed")
                let first = try #require(deliveries.first)
                #expect(deliveries.last?.body == first.body, "the retry sends the same event")
                #expect(first.contentType == "application/cloudevents+json")
                #expect(deliveries.allSatisfy { Self.verifies($0, secret: secret) })
                #expect(!Self.verifies(first, secret: secret + "x"))
                let envelope = try #require(try JSONSerialization.jsonObject(with: Data(first.body.utf8)) as? [String: Any])
                #expect(envelope["type"] as? String == "io.wasmorchestrator.deployment.approval-requested")
                #expect(envelope["subject"] as? String == id)
                // The outcome is counted after the receiver's answer arrives back: wait for it rather than race it.
                _ = try await Self.waitUntil { try await Self.metrics(client).contains(#"wasm_webhook_deliveries_total{outcome="delivered"} 1"#) }
                let metrics = try await Self.metrics(client)
                #expect(metrics.contains(#"wasm_webhook_deliveries_total{outcome="delivered"} 1"#), "\(metrics)")
                #expect(metrics.contains("wasm_webhook_delivery_failures_total 1"))
            }
        }
    }

    @Test("a receiver that never answers does not hold up transitions; the delivery is given up after its attempts")
    func hangingReceiver() async throws {
        let receiver = Receiver(hangs: true)
        let secret = UUID().uuidString
        let extra = [
            // 20 s an attempt: a transition that waited for the hanging delivery would take more than 20 s, so the
            // 15 s bound below tells the two apart however slowly a loaded machine runs the rest.
            "WEBHOOKS_TIMEOUT_MILLISECONDS": "20000", "WEBHOOKS_MAX_ATTEMPTS": "2",
            "WEBHOOKS_PRODUCTION_TYPES": "deployment.approval-requested,deployment.rejected",
        ]
        try await receiver.serve { port in
            try await TestServer(environment: Self.environment(port: port, secret: secret, extra: extra)).run { client, server in
                let developer = try await server.token(subject: "dev", role: .deployer)
                let admin = try await server.token(subject: "ops", role: .admin)
                _ = try await SimulatedFleet.enroll(client, admin: admin, ids: ["edge-1"])
                _ = try await DeploymentEndpointTests.upload(client, developer)
                let id = try await DeploymentEndpointTests.create(client, developer, DeploymentEndpointTests.deploymentBody())
                #expect(try await Self.waitUntil { receiver.deliveries.count >= 1 }, "the receiver holds the first delivery")
                let started = ContinuousClock.now
                let rejected = try await DeploymentEndpointTests.post(client, admin, "/deployments/\(id)/reject", #"{"reason":"not now"}"#)
                #expect(rejected.status == .ok)
                let answered = ContinuousClock.now - started
                #expect(answered < .seconds(15), "both transitions answered while the receiver hangs (after \(answered))")
                #expect(
                    try await Self.waitUntil(seconds: 120) {
                        try await Self.metrics(client).contains(#"wasm_webhook_deliveries_total{outcome="failed"} 2"#)
                    })
                #expect(try await Self.metrics(client).contains("wasm_webhook_delivery_failures_total 4"))
            }
        }
    }
}
