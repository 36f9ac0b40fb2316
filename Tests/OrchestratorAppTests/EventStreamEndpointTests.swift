import AsyncHTTPClient
import FleetSimulation
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import Notifications
import OrchestratorApp
import OrchestratorDomain
import ServiceLifecycle
import Testing

/// `GET /api/v1/wasm/events` on the embedded default (in-process pub/sub).
@Suite("Event stream endpoint")
struct EventStreamEndpointTests {
    static let path = "/api/v1/wasm/events"
    /// A short keep-alive, so a client that went away is noticed within the test.
    static let environment = ["EVENTS_KEEP_ALIVE_MILLISECONDS": "200", "EVENTS_MAX_STREAMS_PER_PRINCIPAL": "2"]

    @Test("no token 401, an agent 403, a bad filter or bound 400: problem+json, and nothing was subscribed")
    func authorization() async throws {
        try await TestServer(environment: Self.environment).run { client, server in
            try await client.execute(uri: Self.path, method: .get) { _ = try $0.problem(status: 401) }
            let agent = try await server.token(subject: "node:n1", role: .agent, node: "n1")
            try await client.execute(uri: Self.path, method: .get, headers: bearer(agent)) { _ = try $0.problem(status: 403) }
            let viewer = try await server.token(role: .viewer)
            for query in ["?types=bogus", "?types=deployment,", "?maxSeconds=0", "?maxSeconds=x"] {
                try await client.execute(uri: Self.path + query, method: .get, headers: bearer(viewer)) { _ = try $0.problem(status: 400) }
            }
            #expect(try server.events().streamCount == 0)
        }
    }

    @Test("a viewer's stream: keep-alive at once, then the deployment events of a command, as the contract frames them")
    func receivesDeploymentEvents() async throws {
        try await TestServer(environment: Self.environment).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            let developer = try await server.token(subject: "dev", role: .deployer)
            let viewer = try await server.token(subject: "watcher", role: .viewer)
            _ = try await SimulatedFleet.enroll(client, admin: admin, ids: ["edge-1"])
            _ = try await DeploymentEndpointTests.upload(client, developer)
            let port = try #require(client.port)
            try await EventStreamReader(port: port, token: viewer, query: "?types=deployment").run { stream in
                #expect(try await stream.waitFor(": keep-alive\n\n"))
                #expect(stream.status == 200 && stream.contentType == "text/event-stream")
                let id = try await DeploymentEndpointTests.create(client, developer, DeploymentEndpointTests.deploymentBody())
                #expect(try await stream.waitFor("event: io.wasmorchestrator.deployment.approval-requested\n"))
                let frames = stream.text.components(separatedBy: "\n\n").filter { $0.hasPrefix("id: ") }
                #expect(frames.count == 2, "created and approval-requested: \(frames)")
                let created = try #require(frames.first)
                let lines = created.split(separator: "\n").map(String.init)
                #expect(lines.count == 3 && lines[1] == "event: io.wasmorchestrator.deployment.created")
                let json = try #require(lines.last.map { String($0.dropFirst("data: ".count)) })
                let envelope = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
                #expect(lines[0] == "id: \(envelope["id"] as? String ?? "?")")
                #expect(envelope["specversion"] as? String == "1.0" && envelope["subject"] as? String == id)
                #expect(envelope["source"] as? String == "/api/v1/wasm/deployments/\(id)")
                let data = try #require(envelope["data"] as? [String: Any])
                #expect(data["status"] as? String == "PendingApproval" && data["module"] as? String == "hello")
                #expect(!stream.text.contains("io.wasmorchestrator.node."), "the filter keeps node events out")
            }
        }
    }

    @Test("the stream ends when the client goes away: the subscription is released; past the per-caller limit 429")
    func disconnectReleases() async throws {
        try await TestServer(environment: Self.environment).run { client, server in
            let viewer = try await server.token(subject: "watcher", role: .viewer)
            let port = try #require(client.port)
            let bus = try server.events()
            try await EventStreamReader(port: port, token: viewer).run { first in
                #expect(try await first.waitFor(": keep-alive"))
                try await EventStreamReader(port: port, token: viewer).run { second in
                    #expect(try await second.waitFor(": keep-alive"))
                    #expect(bus.streamCount == 2)
                    try await client.execute(uri: Self.path, method: .get, headers: bearer(viewer)) { _ = try $0.problem(status: 429) }
                }
            }
            let end = ContinuousClock.now + .seconds(30)
            while bus.streamCount > 0 && ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(20)) }
            #expect(bus.streamCount == 0)
        }
    }

    @Test("graceful shutdown ends an open stream: the server stops without waiting for the client")
    func shutdownEndsStream() async throws {
        let testServer = try await TestServer(environment: Self.environment)
        defer { try? FileManager.default.removeItem(atPath: testServer.dataDirectory) }
        var logger = Logger(label: "test.server")
        logger.logLevel = .warning
        let port = NIOLockedValueBox<Int?>(nil)
        let server = try await buildApplication(settings: testServer.settings, logger: logger) { bound in port.withLockedValue { $0 = bound } }
        let group = ServiceGroup(configuration: .init(services: [server.application], logger: logger))
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let received = EventStreamReader.Received()
        try await withThrowingTaskGroup(of: String.self) { tasks in
            tasks.addTask {
                try await group.run()
                return "server"
            }
            while port.withLockedValue({ $0 }) == nil || !server.gate.isOpen { try await Task.sleep(for: .milliseconds(20)) }
            let reader = EventStreamReader(port: try #require(port.withLockedValue { $0 }), token: try await testServer.token(role: .viewer))
            tasks.addTask {
                try await reader.read(with: http, into: received)
                return "stream"
            }
            #expect(try await received.waitFor(": keep-alive"))
            #expect(server.events.streamCount == 1)
            let asked = ContinuousClock.now
            await group.triggerGracefulShutdown()
            // Without the stream's shutdown handler the server would wait for the client forever; the deadline keeps
            // that failure from hanging the run (generous: a loaded CI machine stops the whole server slowly).
            tasks.addTask {
                try await Task.sleep(for: .seconds(45))
                return "deadline"
            }
            var finished: [String] = []
            while finished.count < 2, let next = try await tasks.next() {
                finished.append(next)
                if next == "deadline" { break }
            }
            tasks.cancelAll()
            #expect(Set(finished) == ["server", "stream"], "the stream ended and the server stopped before the deadline")
            #expect(ContinuousClock.now - asked < .seconds(40))
        }
        try await http.shutdown()
        #expect(server.events.streamCount == 0)
    }

    @Test("maxSeconds ends the stream by itself (what the fuzzer relies on)")
    func maxSecondsBound() async throws {
        try await TestServer(environment: Self.environment).run { client, server in
            let viewer = try await server.token(role: .viewer)
            let started = ContinuousClock.now
            try await client.execute(uri: Self.path + "?maxSeconds=1", method: .get, headers: bearer(viewer)) { response throws in
                #expect(response.status == .ok)
                #expect(response.text.hasPrefix(": keep-alive\n\n"))
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .seconds(20), "ended after \(elapsed); without maxSeconds it would never end")
            #expect(try server.events().streamCount == 0)
        }
    }
}
