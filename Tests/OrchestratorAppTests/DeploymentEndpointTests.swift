import Deployments
import FleetSimulation
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrchestratorDomain
import Testing
import WasmFixtures

/// Deployments over HTTP on the embedded default, with simulated agents: seed 004's runbooks and the workflow rules.
@Suite("Deployment endpoints")
struct DeploymentEndpointTests {
    static let base = "/api/v1/wasm"
    /// A fast rollout engine so tests do not wait.
    static let fastEngine = ["DEPLOYMENTS_EVALUATION_INTERVAL_MILLISECONDS": "50"]

    static func upload(
        _ client: any TestClientProtocol, _ token: String, _ bytes: [UInt8] = WasmFixtures.hello(), version: String = "1.0.0"
    ) async throws -> String {
        try await client.execute(
            uri: "\(base)/modules/hello/versions/\(version)", method: .put,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/wasm"], body: ByteBuffer(bytes: bytes)
        ) { response throws in
            #expect(response.status == .created)
            return try #require(try response.json()["digest"] as? String)
        }
    }

    static func deploymentBody(
        version: String = "1.0.0", environment: String = "production", target: String = #"{"regions":["eu"]}"#, extra: String = ""
    ) -> String {
        #"{"moduleName":"hello","moduleVersion":"\#(version)","environment":"\#(environment)","target":\#(target),"entrypoint":"handle","#
            + #""resources":{"memory":"128Mi","cpu":"100m"}\#(extra)}"#
    }

    static func post(
        _ client: any TestClientProtocol, _ token: String, _ path: String, _ body: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if body != nil { headers[.contentType] = "application/json" }
        headers.append(contentsOf: extra)
        return try await client.execute(uri: base + path, method: .post, headers: headers, body: body.map { ByteBuffer(string: $0) }) { $0 }
    }

    /// Creates a deployment; returns its id.
    static func create(_ client: any TestClientProtocol, _ token: String, _ body: String) async throws -> String {
        let response = try await post(client, token, "/deployments", body)
        #expect(response.status == .created, "\(response.text)")
        return try #require(try response.json()["id"] as? String)
    }

    static func get(_ client: any TestClientProtocol, _ token: String, _ id: String) async throws -> [String: Any] {
        try await client.execute(uri: base + "/deployments/\(id)", method: .get, headers: bearer(token)) { response throws in
            #expect(response.status == .ok)
            return try response.json()
        }
    }

    /// Lets the agents report until the deployment reaches `status` (at most ~10 s).
    static func settle(
        _ client: any TestClientProtocol, _ token: String, _ id: String, fleet: SimulatedFleet, until status: String,
        failing: Set<String> = [], silent: Set<String> = []
    ) async throws -> [String: Any] {
        var body: [String: Any] = [:]
        for _ in 0..<100 {
            try await fleet.round(failing: failing, silent: silent)
            body = try await get(client, token, id)
            if body["status"] as? String == status { return body }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("deployment \(id) is \(body["status"] ?? "?"), wanted \(status): \(body["reason"] ?? ""); \(body["timeline"] ?? "")")
        return body
    }

    static func nodeStates(_ client: any TestClientProtocol, _ token: String, _ id: String) async throws -> [String: String] {
        try await client.execute(uri: base + "/deployments/\(id)/nodes", method: .get, headers: bearer(token)) { response throws in
            let items = try #require(try response.json()["nodes"] as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: items.map { ($0["nodeId"] as? String ?? "", $0["state"] as? String ?? "") })
        }
    }

    @Test("runbook 1: register, create, approve and execute, monitor, verify Completed; audited with role and source")
    func runbookDeployWithApproval() async throws {
        try await TestServer(environment: Self.fastEngine).run { client, server in
            let admin = try await server.token(subject: "admin@example.com", role: .admin)
            let developer = try await server.token(subject: "dev@example.com", role: .deployer)
            let fleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["edge-1", "edge-2", "edge-3"])
            let digest = try await Self.upload(client, developer)

            let created = try await Self.post(client, developer, "/deployments", Self.deploymentBody())
            #expect(created.status == .created)
            let body = try created.json()
            let id = try #require(body["id"] as? String)
            #expect(body["status"] as? String == "PendingApproval")
            #expect(body["digest"] as? String == digest)
            #expect(created.headers[.location] == "\(Self.base)/deployments/\(id)")
            #expect(created.headers[.eTag] == "\"r1\"")
            #expect((body["approvals"] as? [String: Any])?["required"] as? Int == 1)
            #expect(try await fleet.desired("edge-1").isEmpty, "nothing ships before approval")

            // The developer can neither approve nor execute (approvers are admins).
            _ = try await Self.post(client, developer, "/deployments/\(id)/execute", #"{"approvedBy":"dev@example.com"}"#).problem(status: 403)
            let executed = try await Self.post(client, admin, "/deployments/\(id)/execute", #"{"approvedBy":"admin@example.com"}"#)
            #expect(executed.status == .ok)
            #expect(try executed.json()["status"] as? String == "InProgress")
            #expect(try await fleet.desired("edge-2")["hello"]?["digest"] as? String == digest, "desired state written with the start")

            let done = try await Self.settle(client, developer, id, fleet: fleet, until: "Completed")
            let progress = try #require(done["progress"] as? [String: Any])
            #expect(progress["percent"] as? Int == 100)
            #expect((progress["counts"] as? [String: Int])?["Succeeded"] == 3)
            let timeline = (done["timeline"] as? [[String: Any]])?.compactMap { $0["type"] as? String } ?? []
            #expect(timeline.first == "created" && timeline.contains("approved") && timeline.contains("started") && timeline.last == "completed")
            #expect(try await Self.nodeStates(client, developer, id) == ["edge-1": "Succeeded", "edge-2": "Succeeded", "edge-3": "Succeeded"])

            try await client.execute(uri: Self.base + "/audit-events?action=deployment.*", method: .get, headers: bearer(admin)) { response throws in
                let items = try #require(try response.json()["events"] as? [[String: Any]])
                let actions = items.compactMap { $0["action"] as? String }
                #expect(actions.contains("deployment.create") && actions.contains("deployment.execute") && actions.contains("deployment.completed"))
                let execute = try #require(items.first { $0["action"] as? String == "deployment.execute" && $0["outcome"] as? String == "success" })
                #expect(execute["actor"] as? String == "admin@example.com" && execute["role"] as? String == "admin")
                #expect((execute["sourceAddress"] as? String)?.isEmpty == false)
                #expect(execute["target"] as? String == "deployment:\(id)")
                #expect(items.contains { $0["action"] as? String == "deployment.execute" && $0["outcome"] as? String == "denied" })
            }
            try await client.execute(uri: Self.base + "/audit-events", method: .get, headers: bearer(developer)) { _ = try $0.problem(status: 403) }
        }
    }

    @Test("runbook 2: a node fails mid-rollout; the rollout pauses, the operator disables it and resumes; the rest completes")
    func runbookNodeFailure() async throws {
        try await TestServer(environment: Self.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            let fleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["n1", "n2", "n3"], environment: "development")
            _ = try await Self.upload(client, admin)
            let id = try await Self.create(
                client, admin,
                Self.deploymentBody(
                    environment: "development", extra: #","strategy":{"type":"rolling","batchSize":1},"failureThreshold":0,"autoRollback":false"#))
            let cohorts = try await client.execute(uri: Self.base + "/deployments/\(id)/nodes", method: .get, headers: bearer(admin)) {
                response throws in
                try #require(try response.json()["nodes"] as? [[String: Any]]).reduce(into: [Int: String]()) {
                    $0[$1["cohort"] as? Int ?? 0] = $1["nodeId"] as? String
                }
            }
            let broken = try #require(cohorts[2])
            #expect(try await Self.post(client, admin, "/deployments/\(id)/execute").status == .ok)
            let paused = try await Self.settle(client, admin, id, fleet: fleet, until: "Paused", failing: [broken])
            #expect((paused["reason"] as? String)?.contains("failure threshold") == true)
            #expect(try await fleet.desired(try #require(cohorts[3])).isEmpty, "the third cohort waits while paused")

            let disable = try await client.execute(
                uri: Self.base + "/nodes/\(broken)", method: .put, headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"isEnabled": false}"#)
            ) { $0 }
            #expect(disable.status == .ok)
            #expect(try await Self.post(client, admin, "/deployments/\(id)/resume").status == .ok)
            let done = try await Self.settle(client, admin, id, fleet: fleet, until: "Completed", failing: [broken])
            let counts = try #require((done["progress"] as? [String: Any])?["counts"] as? [String: Int])
            #expect(counts["Succeeded"] == 2 && counts["Failed"] == 1)
            let rows = try await client.execute(uri: Self.base + "/deployments/\(id)/nodes?state=Failed", method: .get, headers: bearer(admin)) {
                try #require(try $0.json()["nodes"] as? [[String: Any]])
            }
            #expect(rows.count == 1 && rows.first?["nodeId"] as? String == broken && rows.first?["message"] as? String == "trap: unreachable")
        }
    }

    @Test("runbook 3: emergency rollback reverts every node to the previous version and wakes long-polls at once")
    func runbookEmergencyRollback() async throws {
        try await TestServer(environment: Self.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            let fleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["a1", "a2"], environment: "development")
            let v1 = try await Self.upload(client, admin, WasmFixtures.helloVariant(1), version: "1.0.0")
            let v2 = try await Self.upload(client, admin, WasmFixtures.helloVariant(2), version: "2.0.0")
            let first = try await Self.create(client, admin, Self.deploymentBody(version: "1.0.0", environment: "development"))
            #expect(try await Self.post(client, admin, "/deployments/\(first)/execute").status == .ok)
            _ = try await Self.settle(client, admin, first, fleet: fleet, until: "Completed")
            let second = try await Self.create(client, admin, Self.deploymentBody(version: "2.0.0", environment: "development"))
            #expect(try await Self.post(client, admin, "/deployments/\(second)/execute").status == .ok)
            _ = try await Self.settle(client, admin, second, fleet: fleet, until: "Completed")
            #expect(try await fleet.desired("a1")["hello"]?["digest"] as? String == v2)

            // An agent holds a long-poll on its current state; the rollback must answer it quickly. (The test
            // client has one connection, which the poll occupies, so the rollback goes through the service.)
            let etag = try await client.execute(uri: Self.base + "/nodes/a1/desired-state", method: .get, headers: fleet.headers("a1")) {
                try #require($0.headers[.eTag])
            }
            var conditional = fleet.headers("a1")
            conditional[.ifNoneMatch] = etag
            let started = ContinuousClock.now
            let deployments = try server.deployments()
            async let rollback = {
                try await Task.sleep(for: .milliseconds(300))
                return try await deployments.rollback(
                    second, by: Principal(subject: "ops", role: .admin), reason: "Production incident - high error rate", ifMatch: nil, requestID: nil
                )
            }()
            let woken = try await client.execute(uri: Self.base + "/nodes/a1/desired-state?wait=60s", method: .get, headers: conditional) {
                response throws in
                #expect(response.status == .ok)
                return try #require((try response.json()["modules"] as? [[String: Any]])?.first?["digest"] as? String)
            }
            let elapsed = ContinuousClock.now - started
            #expect(woken == v1)
            #expect(elapsed < .seconds(20), "the long-poll was answered \(elapsed) after the start (300 ms before the rollback; the wait is 60 s)")
            #expect(try await rollback.state == .rolledBack)
            #expect(try await Self.get(client, admin, second)["status"] as? String == "RolledBack")
            #expect(try await fleet.desired("a2")["hello"]?["deploymentId"] as? String == first)
            #expect(try await Self.nodeStates(client, admin, second).values.allSatisfy { $0 == "RolledBack" })
            // Rolling back the first deployment now removes the module (there was nothing before it).
            #expect(try await Self.post(client, admin, "/deployments/\(first)/rollback", #"{"reason":"retire"}"#).status == .ok)
            #expect(try await fleet.desired("a1").isEmpty)
            _ = try await Self.post(client, admin, "/deployments/\(second)/rollback", #"{"reason":"again"}"#).problem(status: 409)
        }
    }

    @Test("canary with a failure threshold: a failing canary rolls back automatically; later cohorts never get it")
    func canaryAutomaticRollback() async throws {
        try await TestServer(environment: Self.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            let fleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["c1", "c2", "c3", "c4"], environment: "development")
            _ = try await Self.upload(client, admin)
            let id = try await Self.create(
                client, admin,
                Self.deploymentBody(
                    environment: "development",
                    extra: #","strategy":{"type":"canary","steps":[25,100],"pause":"manual"},"failureThreshold":"10%","autoRollback":true"#))
            #expect(try await Self.post(client, admin, "/deployments/\(id)/execute").status == .ok)
            let states = try await Self.nodeStates(client, admin, id)
            let canary = try #require(states.first { $0.value == "Updating" }?.key)
            #expect(states.values.filter { $0 == "Pending" }.count == 3)
            let done = try await Self.settle(client, admin, id, fleet: fleet, until: "RolledBack", failing: [canary])
            #expect((done["reason"] as? String)?.contains("failure threshold 10%") == true)
            for node in ["c1", "c2", "c3", "c4"] { #expect(try await fleet.desired(node).isEmpty) }
            let metrics = try await client.execute(uri: "/metrics", method: .get) { $0.text }
            #expect(metrics.contains("wasm_deployments_failed_total 1"))
            #expect(metrics.contains(#"wasm_deployment_rollbacks_total{trigger="automatic"} 1"#))
        }
    }

    @Test("manual canary gate: promote opens it; promote when not waiting is 409")
    func promoteGate() async throws {
        try await TestServer(environment: Self.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            let fleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["p1", "p2"], environment: "development")
            _ = try await Self.upload(client, admin)
            let id = try await Self.create(
                client, admin,
                Self.deploymentBody(
                    environment: "development", extra: #","strategy":{"type":"canary","steps":[50],"pause":"manual"}"#))
            #expect(try await Self.post(client, admin, "/deployments/\(id)/execute").status == .ok)
            _ = try await Self.post(client, admin, "/deployments/\(id)/promote").problem(status: 409)
            var waiting: [String: Any] = [:]
            for _ in 0..<100 {
                try await fleet.round()
                waiting = try await Self.get(client, admin, id)
                if (waiting["rollout"] as? [String: Any])?["gate"] as? String == "manual" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect((waiting["rollout"] as? [String: Any])?["gate"] as? String == "manual")
            let promoted = try await Self.post(client, admin, "/deployments/\(id)/promote")
            #expect(promoted.status == .ok)
            #expect((try promoted.json()["rollout"] as? [String: Any])?["currentStep"] as? Int == 2)
            _ = try await Self.settle(client, admin, id, fleet: fleet, until: "Completed")
        }
    }
}
