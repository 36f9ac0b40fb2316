import EdgeFleet
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrchestratorApp
import OrchestratorDomain
import Testing
import WasmFixtures

/// The node endpoints over HTTP, on the embedded default.
@Suite("Edge node endpoints")
struct NodeEndpointTests {
    static let base = "/api/v1/wasm"

    static func json(_ token: String, _ body: String) -> (HTTPFields, ByteBuffer) {
        ([.authorization: "Bearer \(token)", .contentType: "application/json"], ByteBuffer(string: body))
    }

    static func registration(_ id: String, region: String = "us-east") -> String {
        #"{"nodeId":"\#(id)","region":"\#(region)","zone":"\#(region)-1a","labels":{"tier":"edge"},"runtime":"Wasmtime","runtimeVersion":"15.0.0","#
            + #""capabilities":{"componentModel":true,"wasiPreviews":["preview1","preview2"]},"maxModules":1000,"#
            + #""hardware":{"cpuCores":8,"totalMemoryMB":16384,"architecture":"x86_64"}}"#
    }

    static let heartbeat = #"{"cpuUsagePercent":45.2,"memoryUsageMB":8192,"modulesLoaded":42,"agentVersion":"0.1.0","inventory":[],"conditions":[]}"#

    static func enrollmentToken(_ client: any TestClientProtocol, admin: String, body: String = #"{"maxUses":5}"#) async throws -> String {
        let (headers, payload) = json(admin, body)
        return try await client.execute(uri: base + "/enrollment-tokens", method: .post, headers: headers, body: payload) { response throws in
            #expect(response.status == .created)
            return try #require(try response.json()["token"] as? String)
        }
    }

    static func register(_ client: any TestClientProtocol, token: String, id: String, region: String = "us-east") async throws -> (Int, [String: Any])
    {
        let (headers, payload) = json(token, registration(id, region: region))
        return try await client.execute(uri: base + "/nodes", method: .post, headers: headers, body: payload) { response throws in
            (Int(response.status.code), (try? response.json()) ?? [:])
        }
    }

    static func credential(_ client: any TestClientProtocol, admin: String, id: String) async throws -> String {
        let token = try await enrollmentToken(client, admin: admin)
        let (status, body) = try await register(client, token: token, id: id)
        #expect(status == 201)
        return try #require(body["credential"] as? String)
    }

    @Test("lifecycle with manual admission: register, pending, accept, heartbeat, health, disable, rotate, deregister")
    func lifecycle() async throws {
        try await TestServer(environment: ["NODES_ADMISSION": "manual"]).run { client, server in
            let admin = try await server.token(subject: "root", role: .admin)
            let token = try await Self.enrollmentToken(client, admin: admin)
            let (status, body) = try await Self.register(client, token: token, id: "edge-us-east-01")
            #expect(status == 201)
            #expect((body["node"] as? [String: Any])?["admission"] as? String == "pending")
            #expect((body["node"] as? [String: Any])?["runtime"] as? String == "wasmtime")
            let credential = try #require(body["credential"] as? String)
            #expect(credential.hasPrefix("wnc_"))
            let node = Self.base + "/nodes/edge-us-east-01"

            let (hbHeaders, hbBody) = Self.json(credential, Self.heartbeat)
            try await client.execute(uri: node + "/heartbeat", method: .post, headers: hbHeaders, body: hbBody) { response throws in
                #expect(try response.problem(status: 403)["type"] as? String == "urn:wasm-orchestrator:problem:node-not-admitted")
            }
            try await client.execute(uri: node, method: .get, headers: bearer(credential)) { #expect($0.status == .ok) }
            try await client.execute(uri: node + "/accept", method: .post, headers: bearer(admin)) { response throws in
                #expect(try response.json()["admission"] as? String == "accepted")
            }
            try await client.execute(uri: node + "/heartbeat", method: .post, headers: hbHeaders, body: hbBody) { #expect($0.status == .noContent) }
            try await client.execute(uri: node + "/health", method: .get, headers: bearer(admin)) { response throws in
                let health = try response.json()
                #expect(Set(health.keys) == ["nodeId", "status", "modulesLoaded", "cpuUsagePercent", "memoryUsageMB", "lastHeartbeat"])
                #expect(health["status"] as? String == "Healthy")
                #expect(health["modulesLoaded"] as? Int == 42)
                #expect(health["cpuUsagePercent"] as? Double == 45.2)
            }
            let (disable, disableBody) = Self.json(admin, #"{"isEnabled": false}"#)
            try await client.execute(uri: node, method: .put, headers: disable, body: disableBody) { response throws in
                #expect(try response.json()["isEnabled"] as? Bool == false)
            }
            let rotated = try await client.execute(uri: node + "/credentials/rotate", method: .post, headers: bearer(credential)) { response throws in
                try #require(try response.json()["credential"] as? String)
            }
            try await client.execute(uri: node, method: .get, headers: bearer(credential)) { _ = try $0.problem(status: 401) }
            try await client.execute(uri: node, method: .get, headers: bearer(rotated)) { #expect($0.status == .ok) }
            try await client.execute(uri: node, method: .delete, headers: bearer(admin)) { #expect($0.status == .noContent) }
            try await client.execute(uri: node, method: .get, headers: bearer(rotated)) { _ = try $0.problem(status: 401) }
            try await client.execute(uri: node, method: .get, headers: bearer(admin)) { _ = try $0.problem(status: 404) }
            let actions = try await server.recentAudit(limit: 6).map(\.action)
            #expect(
                actions == [
                    "node.deregister", "node.credential.rotate", "node.update", "node.accept", "node.register", "node.enrollment-token.create",
                ])
        }
    }

    @Test("BOLA: node A's credential gets 403 and no data on every endpoint of node B")
    func objectLevelAuthorization() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(role: .admin)
            let a = try await Self.credential(client, admin: admin, id: "node-a")
            _ = try await Self.credential(client, admin: admin, id: "node-b")
            let b = Self.base + "/nodes/node-b"
            let probes: [(String, HTTPRequest.Method, String?)] = [
                (b, .get, nil), (b, .put, #"{"isEnabled":false}"#), (b, .delete, nil), (b + "/accept", .post, nil), (b + "/reject", .post, nil),
                (b + "/credentials/rotate", .post, nil), (b + "/heartbeat", .post, Self.heartbeat), (b + "/health", .get, nil),
                (b + "/health/history", .get, nil), (b + "/desired-state", .get, nil), (b + "/status", .get, nil),
                (b + "/status", .post, #"{"reports":[]}"#), (Self.base + "/nodes", .get, nil), (Self.base + "/enrollment-tokens", .get, nil),
                (Self.base + "/modules", .get, nil),
            ]
            for (uri, method, body) in probes {
                var headers = bearer(a)
                if body != nil { headers[.contentType] = "application/json" }
                try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response throws in
                    let problem = try response.problem(status: 403)
                    #expect(!response.text.contains("us-east-1a") && !response.text.contains("x86_64"), "\(method) \(uri) leaked data")
                    #expect(problem["detail"] as? String != nil)
                }
            }
            // B is unchanged.
            try await client.execute(uri: b, method: .get, headers: bearer(admin)) { response throws in
                #expect(try response.json()["isEnabled"] as? Bool == true)
            }
        }
    }

    @Test("bad heartbeats: oversized 413, wrong types and out-of-range 400, unknown node 403, revoked credential 401")
    func badHeartbeats() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(role: .admin)
            let credential = try await Self.credential(client, admin: admin, id: "hb-node")
            let uri = Self.base + "/nodes/hb-node/heartbeat"
            func post(_ body: String, to target: String = uri, token: String = credential) async throws -> TestResponse {
                let (headers, payload) = Self.json(token, body)
                return try await client.execute(uri: target, method: .post, headers: headers, body: payload) { $0 }
            }
            let huge = #"{"cpuUsagePercent":1,"memoryUsageMB":1,"modulesLoaded":1,"agentVersion":""# + String(repeating: "x", count: 300_000) + #""}"#
            _ = try await post(huge).problem(status: 413)
            for body in [
                #"{"cpuUsagePercent":"NaN","memoryUsageMB":1,"modulesLoaded":1}"#,
                #"{"cpuUsagePercent":1e999,"memoryUsageMB":1,"modulesLoaded":1}"#,
                #"{"cpuUsagePercent":-1,"memoryUsageMB":1,"modulesLoaded":1}"#,
                #"{"cpuUsagePercent":5,"memoryUsageMB":-1,"modulesLoaded":1}"#,
                #"{"cpuUsagePercent":5,"memoryUsageMB":1,"modulesLoaded":-7}"#,
                #"{"cpuUsagePercent":5,"memoryUsageMB":1,"modulesLoaded":1.5}"#,
                #"{"cpuUsagePercent":5,"memoryUsageMB":1}"#,
                #"[1,2,3]"#,
                #"{"cpuUsagePercent":5,"memoryUsageMB":1,"modulesLoaded":1,"conditions":[{"type":"a b","status":true,"severity":"info"}]}"#,
            ] {
                _ = try await post(body).problem(status: 400)
            }
            _ = try await post(Self.heartbeat, to: Self.base + "/nodes/ghost/heartbeat").problem(status: 403)
            _ = try await post(Self.heartbeat, to: Self.base + "/nodes/ghost/heartbeat", token: admin).problem(status: 403)
            _ = try await post(Self.heartbeat, token: "wnc_" + String(repeating: "A", count: 43)).problem(status: 401)
            #expect(try await post(Self.heartbeat).status == .noContent)
        }
    }

    @Test("enrollment misuse: used up, other region, unknown, malformed, on other endpoints, taken id")
    func enrollmentMisuse() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(role: .admin)
            let once = try await Self.enrollmentToken(client, admin: admin, body: #"{"maxUses":1,"region":"us-east"}"#)
            #expect(try await Self.register(client, token: once, id: "e1").0 == 201)
            let (usedUp, usedUpBody) = try await Self.register(client, token: once, id: "e2")
            #expect(usedUp == 403)
            #expect((usedUpBody["detail"] as? String)?.contains("no uses left") == true)
            let scoped = try await Self.enrollmentToken(client, admin: admin, body: #"{"maxUses":3,"region":"eu-west"}"#)
            let (wrongRegion, wrongBody) = try await Self.register(client, token: scoped, id: "e3", region: "us-east")
            #expect(wrongRegion == 403)
            #expect((wrongBody["detail"] as? String)?.contains("eu-west") == true)
            #expect(try await Self.register(client, token: "wet_unknown_" + String(repeating: "b", count: 43), id: "e4").0 == 401)
            #expect(try await Self.register(client, token: "wet_!!", id: "e5").0 == 401)
            try await client.execute(uri: Self.base + "/nodes", method: .get, headers: bearer(scoped)) { response throws in
                #expect(try response.problem(status: 401)["detail"] as? String == "an enrollment token is accepted only by POST /api/v1/wasm/nodes")
            }
            let (taken, _) = try await Self.register(client, token: scoped, id: "e1", region: "eu-west")
            #expect(taken == 409)
            let viewer = try await server.token(role: .viewer)
            try await client.execute(
                uri: Self.base + "/enrollment-tokens", method: .post, headers: Self.json(viewer, "{}").0, body: ByteBuffer(string: "{}")
            ) {
                _ = try $0.problem(status: 403)
            }
            try await client.execute(uri: Self.base + "/nodes", method: .get, headers: bearer(viewer)) { #expect($0.status == .ok) }
        }
    }

    @Test("desired state: ETag and 304, a change wakes a long-poll quickly, an unchanged one ends at the wait limit; downloads follow it")
    func desiredStateLongPoll() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(role: .admin)
            let credential = try await Self.credential(client, admin: admin, id: "poller")
            let uri = Self.base + "/nodes/poller/desired-state"
            let etag = try await client.execute(uri: uri, method: .get, headers: bearer(credential)) { response throws in
                #expect(response.status == .ok)
                let body = try response.json()
                #expect((body["modules"] as? [Any])?.isEmpty == true)
                let poll = try #require(body["pollAfterSeconds"] as? Int)
                #expect((24...36).contains(poll))
                return try #require(response.headers[.eTag])
            }
            // The poll interval is jittered (30 s ± 20 %) on every answer: many samples stay in bounds and spread out.
            var polls: [Int] = []
            for _ in 0..<60 {
                polls.append(
                    try await client.execute(uri: uri, method: .get, headers: bearer(credential)) { response throws in
                        try #require(response.json()["pollAfterSeconds"] as? Int)
                    })
            }
            #expect(polls.allSatisfy { (24...36).contains($0) }, "\(polls)")
            #expect(Set(polls).count >= 5 && polls.contains { $0 < 30 } && polls.contains { $0 > 30 }, "\(polls)")
            var conditional = bearer(credential)
            conditional[.ifNoneMatch] = etag
            let idle = ContinuousClock.now
            try await client.execute(uri: uri + "?wait=1s", method: .get, headers: conditional) { response in
                #expect(response.status == .notModified)
                #expect(response.headers[.eTag] == etag)
            }
            let waited = ContinuousClock.now - idle
            #expect(waited >= .milliseconds(900) && waited < .seconds(10), "\(waited)")

            // An upload the node may not fetch yet.
            let deployer = try await server.token(role: .deployer)
            let bytes = WasmFixtures.hello()
            let digest = try await client.execute(
                uri: Self.base + "/modules/hello/versions/1.0.0", method: .put,
                headers: [.authorization: "Bearer \(deployer)", .contentType: "application/wasm"], body: ByteBuffer(bytes: bytes)
            ) { response throws in
                let text = try #require(try response.json()["digest"] as? String)
                return try #require(ContentDigest(parsing: text))
            }
            let content = Self.base + "/modules/hello/versions/1.0.0/content"
            try await client.execute(uri: content, method: .get, headers: bearer(credential)) { _ = try $0.problem(status: 403) }

            let nodes = try server.nodes()
            let started = ContinuousClock.now
            async let change: Void = {
                try await Task.sleep(for: .milliseconds(300))
                try await nodes.desiredState.setDesiredModules(
                    [
                        DesiredModule(
                            name: "hello", version: "1.0.0", digest: digest, entrypoint: "handle",
                            resources: ResourceLimits(memory: "128Mi", cpu: "100m"))
                    ],
                    for: NodeID("poller")!)
            }()
            try await client.execute(uri: uri + "?wait=60s", method: .get, headers: conditional) { response throws in
                #expect(response.status == .ok)
                #expect(response.headers[.eTag] != etag)
                let module = try #require((try response.json()["modules"] as? [[String: Any]])?.first)
                #expect(module["digest"] as? String == digest.description)
                #expect(module["entrypoint"] as? String == "handle")
                #expect(module["downloadUrl"] as? String == "/api/v1/wasm/modules/hello/versions/1.0.0/content")
            }
            try await change
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .seconds(20), "the long-poll answered after \(elapsed)")  // the wait is 60 s
            try await client.execute(uri: content, method: .get, headers: bearer(credential)) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == bytes.count)
            }
            try await client.execute(uri: uri + "?wait=forever", method: .get, headers: bearer(credential)) { _ = try $0.problem(status: 400) }
        }
    }

    @Test("status reports: the node posts, operators read")
    func statusReports() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(role: .admin)
            let credential = try await Self.credential(client, admin: admin, id: "reporter")
            let digest = "sha256:" + String(repeating: "c", count: 64)
            let (headers, body) = Self.json(
                credential,
                #"{"reports":[{"deploymentId":"d-7","module":"hello","version":"1.0.0","digest":"\#(digest)","#
                    + #""state":"failed","reason":"trap: unreachable"}]}"#
            )
            // Only modules the node was asked to hold may be reported.
            try await client.execute(uri: Self.base + "/nodes/reporter/status", method: .post, headers: headers, body: body) {
                let problem = try $0.problem(status: 422)
                #expect((problem["detail"] as? String)?.contains("'hello' is not in this node's desired state") == true)
            }
            let modules = ["hello", "a-one", "b-two"].map {
                DesiredModule(
                    name: $0, version: "1.0.0", digest: try! #require(ContentDigest(parsing: digest)), entrypoint: "_start",
                    resources: ResourceLimits())
            }
            try await server.nodes().desiredState.setDesiredModules(modules, for: try #require(NodeID("reporter")))
            try await client.execute(uri: Self.base + "/nodes/reporter/status", method: .post, headers: headers, body: body) {
                #expect($0.status == .noContent)
            }
            let (_, bad) = Self.json(credential, #"{"reports":[{"module":"hello","version":"1.0.0","digest":"\#(digest)","state":"failed"}]}"#)
            try await client.execute(uri: Self.base + "/nodes/reporter/status", method: .post, headers: headers, body: bad) {
                _ = try $0.problem(status: 400)
            }
            let viewer = try await server.token(role: .viewer)
            try await client.execute(uri: Self.base + "/nodes/reporter/status", method: .get, headers: bearer(viewer)) { response throws in
                let item = try #require((try response.json()["statuses"] as? [[String: Any]])?.first)
                #expect(item["state"] as? String == "failed")
                #expect(item["deploymentId"] as? String == "d-7")
            }
            // Removed from the desired state, the module may still be reported (it is stopping).
            try await server.nodes().desiredState.setDesiredModules(Array(modules.dropFirst()), for: try #require(NodeID("reporter")))
            try await client.execute(uri: Self.base + "/nodes/reporter/status", method: .post, headers: headers, body: body) {
                #expect($0.status == .noContent)
            }
            // Paging in module order.
            for name in ["a-one", "b-two"] {
                let (_, report) = Self.json(
                    credential, #"{"reports":[{"module":"\#(name)","version":"1.0.0","digest":"\#(digest)","state":"running"}]}"#)
                try await client.execute(uri: Self.base + "/nodes/reporter/status", method: .post, headers: headers, body: report) {
                    #expect($0.status == .noContent)
                }
            }
            var next: String? = Self.base + "/nodes/reporter/status?limit=2"
            var seen: [String] = []
            while let uri = next {
                next = try await client.execute(uri: uri, method: .get, headers: bearer(viewer)) { response throws -> String? in
                    seen += ((try response.json()["statuses"] as? [[String: Any]]) ?? []).compactMap { $0["module"] as? String }
                    return response.headers[HTTPField.Name("Link")!].flatMap {
                        $0.split(separator: "<").last?.split(separator: ">").first.map(String.init)
                    }
                }
            }
            #expect(seen == ["a-one", "b-two", "hello"])
        }
    }
}

@Suite("Edge node endpoints: review regressions")
struct NodeEndpointRegressionTests {
    @Test("a heartbeat with only seed 004's numbers is accepted; a condition's severity defaults")
    func minimalHeartbeat() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(role: .admin)
            let credential = try await NodeEndpointTests.credential(client, admin: admin, id: "minimal")
            for body in [
                #"{"cpuUsagePercent":1,"memoryUsageMB":2,"modulesLoaded":0}"#,
                #"{"cpuUsagePercent":1,"memoryUsageMB":2,"modulesLoaded":0,"conditions":[{"type":"DiskPressure","status":false}]}"#,
            ] {
                let (headers, payload) = NodeEndpointTests.json(credential, body)
                try await client.execute(uri: "/api/v1/wasm/nodes/minimal/heartbeat", method: .post, headers: headers, body: payload) {
                    #expect($0.status == .noContent)
                }
            }
            try await client.execute(uri: "/api/v1/wasm/nodes/minimal/health", method: .get, headers: bearer(admin)) { response throws in
                #expect(try response.json()["status"] as? String == "Degraded")
            }
        }
    }

    @Test("an agent JWT is held to its node's admission; unknown nodes are 404")
    func agentJWT() async throws {
        try await TestServer(environment: ["NODES_ADMISSION": "manual"]).run { client, server in
            let admin = try await server.token(role: .admin)
            _ = try await NodeEndpointTests.credential(client, admin: admin, id: "pending-node")
            let jwt = try await server.token(subject: "node:pending-node", role: .agent, node: "pending-node")
            let (headers, payload) = NodeEndpointTests.json(jwt, NodeEndpointTests.heartbeat)
            try await client.execute(uri: "/api/v1/wasm/nodes/pending-node/heartbeat", method: .post, headers: headers, body: payload) {
                _ = try $0.problem(status: 403)
            }
            let ghost = try await server.token(subject: "node:ghost", role: .agent, node: "ghost")
            try await client.execute(uri: "/api/v1/wasm/nodes/ghost/desired-state", method: .get, headers: bearer(ghost)) {
                _ = try $0.problem(status: 404)
            }
        }
    }

    @Test("re-registration keeps region and operator labels; node listing ignores module filters")
    func reregistration() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(role: .admin)
            let credential = try await NodeEndpointTests.credential(client, admin: admin, id: "mover")
            let (labelHeaders, labelBody) = NodeEndpointTests.json(admin, #"{"labels":{"rack":"7"}}"#)
            try await client.execute(uri: "/api/v1/wasm/nodes/mover", method: .put, headers: labelHeaders, body: labelBody) {
                #expect($0.status == .ok)
            }
            let (headers, same) = NodeEndpointTests.json(credential, NodeEndpointTests.registration("mover"))
            try await client.execute(uri: "/api/v1/wasm/nodes", method: .post, headers: headers, body: same) { response throws in
                #expect(response.status == .ok)
                let node = try #require(try response.json()["node"] as? [String: Any])
                #expect(node["labels"] as? [String: String] == ["rack": "7"])
                #expect(try response.json()["credential"] == nil)
            }
            let (_, moved) = NodeEndpointTests.json(credential, NodeEndpointTests.registration("mover", region: "eu-west"))
            try await client.execute(uri: "/api/v1/wasm/nodes", method: .post, headers: headers, body: moved) { _ = try $0.problem(status: 400) }
            try await client.execute(uri: "/api/v1/wasm/nodes?status=foo&limit=5", method: .get, headers: bearer(admin)) { #expect($0.status == .ok) }
        }
    }
}

@Suite("Edge node endpoints: operator roles")
struct NodeRoleTests {
    @Test("viewers and deployers read nodes and change nothing; enrollment tokens are admin-only", arguments: [Role.viewer, .deployer])
    func readOnlyRoles(role: Role) async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(role: .admin)
            _ = try await NodeEndpointTests.credential(client, admin: admin, id: "subject-node")
            let token = try await server.token(subject: "operator", role: role)
            let node = "/api/v1/wasm/nodes/subject-node"
            for uri in [node, node + "/health", node + "/health/history", node + "/status", node + "/desired-state", "/api/v1/wasm/nodes"] {
                try await client.execute(uri: uri, method: .get, headers: bearer(token)) { #expect($0.status == .ok, "\(uri)") }
            }
            let writes: [(String, HTTPRequest.Method, String?)] = [
                (node, .put, #"{"isEnabled":false}"#), (node, .delete, nil), (node + "/accept", .post, nil), (node + "/reject", .post, nil),
                (node + "/credentials/rotate", .post, nil), (node + "/heartbeat", .post, NodeEndpointTests.heartbeat),
                (node + "/status", .post, #"{"reports":[]}"#), ("/api/v1/wasm/enrollment-tokens", .get, nil),
                ("/api/v1/wasm/enrollment-tokens", .post, "{}"), ("/api/v1/wasm/enrollment-tokens/anything", .delete, nil),
                ("/api/v1/wasm/nodes", .post, NodeEndpointTests.registration("sneaky")),
            ]
            for (uri, method, body) in writes {
                var headers = bearer(token)
                if body != nil { headers[.contentType] = "application/json" }
                try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
                    _ = try $0.problem(status: 403)
                }
            }
            try await client.execute(uri: node, method: .get, headers: bearer(admin)) { response throws in
                #expect(try response.json()["isEnabled"] as? Bool == true)
                #expect(try response.json()["admission"] as? String == "accepted")
            }
        }
    }
}
