import FleetSimulation
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import OrchestratorAuth
import OrchestratorDomain
import Testing
import WasmFixtures

/// Seed 004's runbooks end to end through the whole server on PostgreSQL,
/// Redis and SeaweedFS, with agents simulated over HTTP.
@Suite("Deployments on the production stack")
struct DeploymentProductionTests {
    static let base = "/api/v1/wasm"

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    static func call(
        _ client: any TestClientProtocol, _ token: String, _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil
    ) async throws -> (Int, [String: Any]) {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: base + path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            response throws in
            (Int(response.status.code), (try? Self.json(response)) ?? [:])
        }
    }

    static func upload(_ client: any TestClientProtocol, _ token: String, _ bytes: [UInt8], version: String) async throws -> String {
        try await client.execute(
            uri: "\(base)/modules/greeter/versions/\(version)", method: .put,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/wasm"], body: ByteBuffer(bytes: bytes)
        ) { response throws in
            #expect(response.status == .created)
            return try #require(try Self.json(response)["digest"] as? String)
        }
    }

    static func settle(
        _ client: any TestClientProtocol, _ token: String, _ id: String, fleet: SimulatedFleet, until status: String, failing: Set<String> = []
    ) async throws -> [String: Any] {
        var body: [String: Any] = [:]
        for _ in 0..<150 {
            try await fleet.round(failing: failing)
            body = try await call(client, token, .get, "/deployments/\(id)").1
            if body["status"] as? String == status { return body }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("deployment is \(body["status"] ?? "?"), wanted \(status): \(body["reason"] ?? "")")
        return body
    }

    static func deployment(version: String, environment: String, extra: String = "") -> String {
        #"{"moduleName":"greeter","moduleVersion":"\#(version)","environment":"\#(environment)","target":{"labels":{"tier":"edge"}},"#
            + #""entrypoint":"handle","resources":{"memory":"64Mi","cpu":"50m"}\#(extra)}"#
    }

    @Test(
        "runbooks 1 and 3: approve and execute, agents fetch from S3 and report, Completed; then emergency rollback",
        .enabled(if: ProductionStackTests.allServices))
    func runbooks() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            var environment = try ProductionStackTests.productionEnvironment(database: database)
            environment["DEPLOYMENTS_EVALUATION_INTERVAL_MILLISECONDS"] = "100"
            let issuer = try await TokenIssuer.make(settings: AuthSettings(secret: ProductionStackTests.secret))
            let admin = try await issuer.issue(subject: "admin@example.com", role: .admin, ttlSeconds: 300)
            let developer = try await issuer.issue(subject: "dev@example.com", role: .deployer, ttlSeconds: 300)
            try await ProductionStackTests.withServer(environment) { client in
                let fleet = try await SimulatedFleet.enroll(
                    client, admin: admin, ids: ["edge-us-east-01", "edge-us-east-02", "edge-eu-west-01"], environment: "staging")
                let v1 = try await Self.upload(client, developer, WasmFixtures.helloVariant(1), version: "1.0.0")
                let v2 = try await Self.upload(client, developer, WasmFixtures.helloVariant(2), version: "1.1.0")

                // Runbook 1 for 1.0.0 (staging: one approval), then 1.1.0 to production as a canary.
                let (created, first) = try await Self.call(
                    client, developer, .post, "/deployments", Self.deployment(version: "1.0.0", environment: "staging"))
                #expect(created == 201 && first["status"] as? String == "PendingApproval")
                let firstID = try #require(first["id"] as? String)
                #expect(try await Self.call(client, admin, .post, "/deployments/\(firstID)/execute", #"{"approvedBy":"admin@example.com"}"#).0 == 200)
                _ = try await Self.settle(client, developer, firstID, fleet: fleet, until: "Completed")

                // The agent fetches the module it was told to run, from S3 through the server.
                let downloadURL = try #require(try await fleet.desired("edge-us-east-01")["greeter"]?["downloadUrl"] as? String)
                let content = try await client.execute(uri: downloadURL, method: .get, headers: fleet.headers("edge-us-east-01")) { response in
                    (response.status, [UInt8](buffer: response.body))
                }
                #expect(content.0 == .ok && content.1 == WasmFixtures.helloVariant(1))

                // A deployment targets only its environment's nodes: the admin promotes the fleet to production. The nodes
                // leave the staging release (its module is removed) until production's own release reaches them.
                try await fleet.move(to: "production", admin: admin)
                for node in fleet.credentials.keys { #expect(try await fleet.desired(node)["greeter"] == nil) }
                let (_, baseline) = try await Self.call(
                    client, developer, .post, "/deployments", Self.deployment(version: "1.0.0", environment: "production"))
                let baselineID = try #require(baseline["id"] as? String)
                #expect(
                    try await Self.call(client, admin, .post, "/deployments/\(baselineID)/approve", #"{"digest":"\#(v1)"}"#).0 == 200)
                #expect(try await Self.call(client, admin, .post, "/deployments/\(baselineID)/execute").0 == 200)
                _ = try await Self.settle(client, developer, baselineID, fleet: fleet, until: "Completed")
                let (_, second) = try await Self.call(
                    client, developer, .post, "/deployments",
                    Self.deployment(version: "1.1.0", environment: "production", extra: #","strategy":{"type":"canary","steps":[34],"pause":"1s"}"#))
                let secondID = try #require(second["id"] as? String)
                #expect(((second["spec"] as? [String: Any])?["autoRollback"] as? Bool) == true, "production rolls back automatically by default")
                #expect(
                    try await Self.call(client, admin, .post, "/deployments/\(secondID)/approve", #"{"digest":"\#(v2)","comment":"reviewed"}"#).0
                        == 200)
                #expect(try await Self.call(client, admin, .post, "/deployments/\(secondID)/execute").0 == 200)
                let done = try await Self.settle(client, developer, secondID, fleet: fleet, until: "Completed")
                let events = (done["timeline"] as? [[String: Any]])?.compactMap { $0["type"] as? String } ?? []
                #expect(events.filter { $0 == "cohort.dispatched" }.count == 2 && events.contains("waiting"))
                for node in fleet.credentials.keys { #expect(try await fleet.desired(node)["greeter"]?["digest"] as? String == v2) }

                // Runbook 3: emergency rollback, audited, reaches every agent.
                let (status, rolledBack) = try await Self.call(
                    client, admin, .post, "/deployments/\(secondID)/rollback", #"{"reason":"Production incident - high error rate"}"#)
                #expect(status == 200 && rolledBack["status"] as? String == "RolledBack")
                for node in fleet.credentials.keys { #expect(try await fleet.desired(node)["greeter"]?["digest"] as? String == v1) }
                let (_, audit) = try await Self.call(client, admin, .get, "/audit-events?action=deployment.rollback")
                let entry = try #require((audit["events"] as? [[String: Any]])?.first)
                #expect(entry["actor"] as? String == "admin@example.com" && entry["target"] as? String == "deployment:\(secondID)")
            }
        }
    }

    @Test("a failing canary rolls back automatically on the production stack", .enabled(if: ProductionStackTests.allServices))
    func canaryRollback() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            var environment = try ProductionStackTests.productionEnvironment(database: database)
            environment["DEPLOYMENTS_EVALUATION_INTERVAL_MILLISECONDS"] = "100"
            let admin = try await ProductionStackTests.adminToken()
            try await ProductionStackTests.withServer(environment) { client in
                let fleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["c-1", "c-2", "c-3"], environment: "development")
                _ = try await Self.upload(client, admin, WasmFixtures.hello(), version: "2.0.0")
                let (_, created) = try await Self.call(
                    client, admin, .post, "/deployments",
                    Self.deployment(
                        version: "2.0.0", environment: "development", extra: #","strategy":{"type":"canary","steps":[33]},"autoRollback":true"#))
                let id = try #require(created["id"] as? String)
                let (_, started) = try await Self.call(client, admin, .post, "/deployments/\(id)/execute")
                #expect((started["progress"] as? [String: Any])?["counts"].flatMap { ($0 as? [String: Int])?["Updating"] } == 1)
                let done = try await Self.settle(client, admin, id, fleet: fleet, until: "RolledBack", failing: Set(fleet.credentials.keys))
                #expect((done["reason"] as? String)?.contains("failure threshold") == true)
                for node in fleet.credentials.keys { #expect(try await fleet.desired(node).isEmpty) }
            }
        }
    }
}
