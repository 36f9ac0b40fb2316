import FleetSimulation
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrchestratorDomain
import Testing

/// Issue 11, item 7 over HTTP: environments and labels the caller cannot choose.
@Suite("Environment isolation")
struct EnvironmentIsolationTests {
    typealias E = DeploymentEndpointTests
    typealias N = NodeEndpointTests
    static let base = "/api/v1/wasm"

    static func put(_ client: any TestClientProtocol, _ token: String, _ path: String, _ body: String) async throws -> TestResponse {
        let (headers, payload) = N.json(token, body)
        return try await client.execute(uri: base + path, method: .put, headers: headers, body: payload) { $0 }
    }

    static func get(_ client: any TestClientProtocol, _ token: String, _ path: String) async throws -> TestResponse {
        try await client.execute(uri: base + path, method: .get, headers: bearer(token)) { $0 }
    }

    static func nodeIDs(_ response: TestResponse) throws -> [String] {
        try #require(try response.json()["nodes"] as? [[String: Any]]).compactMap { $0["nodeId"] as? String }
    }

    @Test("a deployer cannot reach production nodes by declaring 'development': named nodes are 422 naming them, selectors match nothing")
    func declaredEnvironmentCannotReachOtherNodes() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(subject: "root", role: .admin)
            let deployer = try await server.token(subject: "dev", role: .deployer)
            _ = try await SimulatedFleet.enroll(client, admin: admin, ids: ["prod-1", "prod-2"])
            _ = try await E.upload(client, admin)

            let named = try await E.post(
                client, deployer, "/deployments", E.deploymentBody(environment: "development", target: #"{"nodeIds":["prod-1","prod-2"]}"#))
            let problem = try named.problem(status: 422)
            #expect(problem["type"] as? String == "urn:wasm-orchestrator:problem:target-outside-environment")
            let detail = try #require(problem["detail"] as? String)
            #expect(detail.contains("prod-1 (production)") && detail.contains("prod-2 (production)") && detail.contains("'development'"))

            let selected = try await E.post(client, deployer, "/deployments", E.deploymentBody(environment: "development"))
            #expect(try selected.problem(status: 422)["type"] as? String == "urn:wasm-orchestrator:problem:no-target-nodes")
            #expect(try #require(try await Self.get(client, admin, "/deployments").json()["deployments"] as? [Any]).isEmpty, "nothing was created")

            // The honest path: production's own policy applies.
            let production = try await E.post(client, deployer, "/deployments", E.deploymentBody(environment: "production"))
            #expect(production.status == .created)
            #expect(try production.json()["status"] as? String == "PendingApproval")
        }
    }

    @Test("enrollment tokens carry the environment (default production, configured ones only) and trusted labels; nodes list by environment")
    func enrollmentTokenEnvironment() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(role: .admin)
            let (headers, unknown) = N.json(admin, #"{"environment":"qa"}"#)
            try await client.execute(uri: Self.base + "/enrollment-tokens", method: .post, headers: headers, body: unknown) { response throws in
                let problem = try response.problem(status: 422)
                #expect(problem["type"] as? String == "urn:wasm-orchestrator:problem:unknown-environment")
                #expect((problem["detail"] as? String)?.contains("'qa'") == true)
            }
            let (_, plain) = N.json(admin, "{}")
            try await client.execute(uri: Self.base + "/enrollment-tokens", method: .post, headers: headers, body: plain) { response throws in
                #expect(response.status == .created)
                #expect(try response.json()["environment"] as? String == "production")
            }
            let production = try await N.enrollmentToken(client, admin: admin)
            let development = try await N.enrollmentToken(
                client, admin: admin, body: #"{"maxUses":2,"environment":"development","labels":{"tier":"edge"}}"#)
            let (devStatus, devBody) = try await N.register(client, token: development, id: "d1")
            #expect(devStatus == 201)
            let devNode = try #require(devBody["node"] as? [String: Any])
            #expect(devNode["environment"] as? String == "development")
            #expect(devNode["labels"] as? [String: String] == ["tier": "edge"])
            let (prodStatus, prodBody) = try await N.register(client, token: production, id: "p1")
            #expect(prodStatus == 201)
            let prodNode = try #require(prodBody["node"] as? [String: Any])
            #expect(prodNode["environment"] as? String == "production")
            #expect(prodNode["labels"] as? [String: String] == [:], "what the node reports is not trusted")
            #expect(prodNode["reportedLabels"] as? [String: String] == ["tier": "edge"])

            #expect(try Self.nodeIDs(try await Self.get(client, admin, "/nodes?environment=development")) == ["d1"])
            #expect(try Self.nodeIDs(try await Self.get(client, admin, "/nodes?environment=production")) == ["p1"])
            #expect(try Self.nodeIDs(try await Self.get(client, admin, "/nodes?selector=tier=edge")) == ["d1"], "selectors use trusted labels")
        }
    }

    @Test("a node cannot choose its environment (400, nothing written) nor move its region or zone on re-registration")
    func nodeCannotChoosePlacement() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(role: .admin)
            let token = try await N.enrollmentToken(client, admin: admin)
            let withEnvironment = N.registration("sneaky").dropLast() + #","environment":"development"}"#
            let (headers, body) = N.json(token, String(withEnvironment))
            try await client.execute(uri: Self.base + "/nodes", method: .post, headers: headers, body: body) { response throws in
                let problem = try response.problem(status: 400)
                #expect(problem["type"] as? String == "urn:wasm-orchestrator:problem:not-set-by-node")
                #expect((problem["detail"] as? String)?.contains("'environment'") == true)
            }
            let tokens = try #require(try await Self.get(client, admin, "/enrollment-tokens").json()["tokens"] as? [[String: Any]])
            #expect(tokens.first?["uses"] as? Int == 0, "the refused registration used nothing")

            let credential = try await N.credential(client, admin: admin, id: "mover")
            let (own, _) = N.json(credential, "")
            let again = N.registration("mover").dropLast() + #","environment":"development"}"#
            try await client.execute(uri: Self.base + "/nodes", method: .post, headers: own, body: ByteBuffer(string: String(again))) {
                _ = try $0.problem(status: 400)
            }
            let otherZone = N.registration("mover").replacingOccurrences(of: #""zone":"us-east-1a""#, with: #""zone":"us-east-1b""#)
            try await client.execute(uri: Self.base + "/nodes", method: .post, headers: own, body: ByteBuffer(string: otherZone)) { response throws in
                #expect((try response.problem(status: 400)["detail"] as? String)?.contains("zone") == true)
            }
            let node = try await Self.get(client, admin, "/nodes/mover").json()
            #expect(node["environment"] as? String == "production" && node["zone"] as? String == "us-east-1a")
        }
    }

    @Test("reported labels are not targeted until an admin adopts them; an admin moves a node, audited with from and to")
    func adminAdoptsAndMoves() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(subject: "root", role: .admin)
            _ = try await N.credential(client, admin: admin, id: "n1")
            _ = try await E.upload(client, admin)
            let byLabel = E.deploymentBody(environment: "production", target: #"{"labels":{"tier":"edge"}}"#)
            #expect(
                try await E.post(client, admin, "/deployments", byLabel).problem(status: 422)["type"] as? String
                    == "urn:wasm-orchestrator:problem:no-target-nodes")

            let adopted = try await Self.put(client, admin, "/nodes/n1", #"{"adoptReportedLabels":true}"#)
            #expect(adopted.status == .ok)
            #expect(try adopted.json()["labels"] as? [String: String] == ["tier": "edge"])
            #expect(try await E.post(client, admin, "/deployments", byLabel).status == .created)

            #expect(try await Self.put(client, admin, "/nodes/n1", #"{"environment":"qa"}"#).problem(status: 422)["detail"] as? String != nil)
            let moved = try await Self.put(client, admin, "/nodes/n1", #"{"environment":"staging","zone":"us-east-1c"}"#)
            #expect(moved.status == .ok)
            #expect(try moved.json()["environment"] as? String == "staging" && moved.json()["zone"] as? String == "us-east-1c")
            let audit = try await server.recentAudit(limit: 5)
            #expect(audit.contains { $0.action == "node.environment.change" && $0.target == "node:n1 (production -> staging)" && $0.actor == "root" })
            #expect(try Self.nodeIDs(try await Self.get(client, admin, "/nodes?environment=staging")) == ["n1"])
            let deployer = try await server.token(subject: "dev", role: .deployer)
            _ = try await Self.put(client, deployer, "/nodes/n1", #"{"environment":"development"}"#).problem(status: 403)
        }
    }
}
