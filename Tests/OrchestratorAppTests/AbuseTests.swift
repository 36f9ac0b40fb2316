import EdgeFleet
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrchestratorDomain
import OrchestratorPorts
import Testing

/// Issue 11: each finding, as the request that reproduced it on the old `main`.
@Suite("Abuse: findings of the attacker's review")
struct AbuseTests {
    static let base = "/api/v1/wasm"

    @Test("an overflowing duration is a 400 naming the field, not a crash (poll 'wait', 'strategy.pause')")
    func overflowingDurations() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(role: .admin)
            let credential = try await NodeEndpointTests.credential(client, admin: admin, id: "edge-1")
            let viewer = try await server.token(role: .viewer)
            for token in [credential, viewer] {
                try await client.execute(
                    uri: Self.base + "/nodes/edge-1/desired-state?wait=9223372036854775807s1s", method: .get, headers: bearer(token)
                ) { response in
                    let problem = try response.problem(status: 400)
                    #expect((problem["detail"] as? String)?.contains("'wait'") == true)
                }
            }
            let deployer = try await server.token(role: .deployer)
            let (headers, body) = NodeEndpointTests.json(
                deployer,
                #"""
                {"moduleName":"m","moduleVersion":"1.0.0","target":{"nodeIds":["edge-1"]},"environment":"development",
                 "strategy":{"type":"rolling","batchSize":1,"pause":"9223372036854775807s1s"}}
                """#)
            try await client.execute(uri: Self.base + "/deployments", method: .post, headers: headers, body: body) { response in
                let problem = try response.problem(status: 400)
                #expect((problem["detail"] as? String)?.contains("strategy.pause") == true)
            }
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test("an enrollment token authenticates only POST /nodes; elsewhere it is a 401 before any work")
    func enrollmentTokenElsewhere() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(role: .admin)
            let enrollment = try await NodeEndpointTests.enrollmentToken(client, admin: admin)
            for (uri, method) in [("/deployments", HTTPRequest.Method.post), ("/nodes", .get), ("/modules", .get), ("/enrollment-tokens", .post)] {
                var (headers, body) = NodeEndpointTests.json(enrollment, #"{"a":1}"#)
                headers[HTTPField.Name("Idempotency-Key")!] = "fake-token-key"
                try await client.execute(uri: Self.base + uri, method: method, headers: headers, body: body) { response in
                    let problem = try response.problem(status: 401)
                    #expect((problem["detail"] as? String)?.contains("only by POST /api/v1/wasm/nodes") == true)
                }
            }
        }
    }

    @Test("a refused caller's Idempotency-Key stores nothing; a replay re-runs authorization")
    func idempotencyAfterAuthorization() async throws {
        try await TestServer().run { client, server in
            let viewer = try await server.token(subject: "vera", role: .viewer)
            var (headers, body) = NodeEndpointTests.json(viewer, #"{"maxUses":1}"#)
            headers[HTTPField.Name("Idempotency-Key")!] = "k-1"
            try await client.execute(uri: Self.base + "/enrollment-tokens", method: .post, headers: headers, body: body) {
                _ = try $0.problem(status: 403)
            }
            // Nothing was claimed for the viewer's key: a fresh claim succeeds.
            let store = try server.metadata()
            let claim = try await store.claimIdempotencyKey(
                IdempotencyKey(scope: "viewer:vera", key: "k-1"), fingerprint: "x", at: 0, expiresAt: 1e12, staleBefore: -1)
            #expect(claim == .claimed)
            // The same subject as admin gets a fresh answer for the same key (scopes include the role) ...
            let admin = try await server.token(subject: "vera", role: .admin)
            headers[.authorization] = "Bearer \(admin)"
            try await client.execute(uri: Self.base + "/enrollment-tokens", method: .post, headers: headers, body: body) {
                #expect($0.status == .created)
            }
            // ... and the viewer's retry is authorized afresh, never served a stored answer.
            headers[.authorization] = "Bearer \(viewer)"
            try await client.execute(uri: Self.base + "/enrollment-tokens", method: .post, headers: headers, body: body) { response in
                _ = try response.problem(status: 403)
                #expect(response.headers[HTTPField.Name("Idempotency-Replayed")!] == nil)
            }
        }
    }

    @Test("held long-polls are capped: a node's fifth poll releases its oldest at once")
    func heldPollsPerNode() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(role: .admin)
            let credential = try await NodeEndpointTests.credential(client, admin: admin, id: "poller")
            let uri = Self.base + "/nodes/poller/desired-state"
            let etag = try await client.execute(uri: uri, method: .get, headers: bearer(credential)) { try #require($0.headers[.eTag]) }
            // Separate connections (the test client serialises its requests on one).
            let http = BlockingHTTPClient(port: try #require(client.port), timeoutSeconds: 90)
            let head = "GET \(uri)?wait=%@ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(credential)\r\nIf-None-Match: \(etag)"
            let started = ContinuousClock.now
            let first = Task { try await http.send(head: String(format: head, "60s"), body: []) }
            try await Task.sleep(for: .milliseconds(500))
            let later = (0..<DesiredStateHub.maxHeldPerNode).map { _ in Task { try await http.send(head: String(format: head, "3s"), body: []) } }
            #expect(try await first.value.finalStatus == 304)
            #expect(ContinuousClock.now - started < .seconds(20), "the oldest poll was held for its whole 60 s wait")
            for poll in later { #expect(try await poll.value.finalStatus == 304) }
        }
    }

    @Test("held long-polls are capped per caller: past the cap a poll is answered at once")
    func heldPollsPerHolder() async throws {
        try await TestServer().run { _, server in
            let hub = try server.nodes().desiredState
            let nodes = (0..<DesiredStateHub.maxHeldPerHolder).map { NodeID("n-\($0)")! }
            let held = Task {
                await withTaskGroup(of: Bool.self) { group in
                    for node in nodes { group.addTask { await hub.waitForChange(of: node, since: 0, timeout: .seconds(30), holder: "viewer:eve") } }
                    return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            let started = ContinuousClock.now
            let extra = await hub.waitForChange(of: NodeID("n-extra")!, since: 0, timeout: .seconds(30), holder: "viewer:eve")
            let answered = ContinuousClock.now - started
            #expect(extra == false)
            #expect(answered < .seconds(10), "answered after \(answered); held, it would wait 30 s")
            #expect(await hub.waitForChange(of: NodeID("n-other")!, since: 0, timeout: .milliseconds(50), holder: "viewer:someone-else"))
            #expect(await held.value == DesiredStateHub.maxHeldPerHolder)
        }
    }
}
