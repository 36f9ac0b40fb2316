import FleetSimulation
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrchestratorDomain
import Testing

/// Waves by topology and the plan preview (`POST /deployments?dryRun=true`) over HTTP.
@Suite("Deployment waves and plan preview")
struct DeploymentPlanEndpointTests {
    typealias D = DeploymentEndpointTests
    static let target = #"{"regions":["eu","us"]}"#

    /// An admin, a deployer with `hello@1.0.0` uploaded, and three nodes in each of `eu` and `us`.
    static func fleet(_ client: any TestClientProtocol, _ server: TestServer) async throws -> (admin: String, developer: String) {
        let admin = try await server.token(subject: "admin@example.com", role: .admin)
        let developer = try await server.token(subject: "dev@example.com", role: .deployer)
        _ = try await SimulatedFleet.enroll(client, admin: admin, ids: ["us-1", "us-2", "us-3"], region: "us")
        _ = try await SimulatedFleet.enroll(client, admin: admin, ids: ["eu-1", "eu-2", "eu-3"], region: "eu")
        _ = try await D.upload(client, developer)
        return (admin, developer)
    }

    static func body(strategy: String) -> String {
        D.deploymentBody(target: target, extra: #","strategy":\#(strategy)"#)
    }

    /// Node id to 1-based cohort, as the created deployment's node rows say.
    static func cohorts(_ client: any TestClientProtocol, _ token: String, _ id: String) async throws -> [String: Int] {
        try await client.execute(uri: D.base + "/deployments/\(id)/nodes", method: .get, headers: bearer(token)) { response throws in
            let items = try #require(try response.json()["nodes"] as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: items.map { ($0["nodeId"] as? String ?? "", $0["cohort"] as? Int ?? 0) })
        }
    }

    /// Node id to 1-based cohort, and each cohort's wave, as a plan preview says.
    static func cohorts(ofPlan plan: [String: Any]) throws -> (nodes: [String: Int], waves: [String?]) {
        let cohorts = try #require(plan["cohorts"] as? [[String: Any]])
        var nodes: [String: Int] = [:]
        for cohort in cohorts {
            for node in try #require(cohort["nodeIds"] as? [String]) { nodes[node] = try #require(cohort["cohort"] as? Int) }
        }
        return (nodes, cohorts.map { $0["wave"] as? String })
    }

    /// Every deployment `GET /deployments` lists (any state).
    static func listed(_ client: any TestClientProtocol, _ token: String) async throws -> [[String: Any]] {
        try await client.execute(uri: D.base + "/deployments", method: .get, headers: bearer(token)) { response throws in
            try #require(try response.json()["deployments"] as? [[String: Any]])
        }
    }

    @Test("with waves by region, the first cohorts hold only the first region's nodes; the spec echoes the waves")
    func wavesByRegion() async throws {
        try await TestServer().run { client, server in
            let (_, developer) = try await Self.fleet(client, server)
            let id = try await D.create(client, developer, Self.body(strategy: #"{"type":"rolling","batchSize":2,"waves":"region"}"#))
            let cohorts = try await Self.cohorts(client, developer, id)
            #expect(cohorts.count == 6)
            // eu before us (name order); 2 + 1 eu nodes, then 2 + 1 us nodes: no cohort mixes the regions.
            #expect(Set(cohorts.filter { $0.value <= 2 }.keys) == ["eu-1", "eu-2", "eu-3"])
            #expect(Set(cohorts.filter { $0.value > 2 }.keys) == ["us-1", "us-2", "us-3"])
            #expect(cohorts.values.sorted() == [1, 1, 2, 3, 3, 4])
            let strategy = try #require((try await D.get(client, developer, id)["spec"] as? [String: Any])?["strategy"] as? [String: Any])
            #expect(strategy["waves"] as? String == "region" && strategy["waveOrder"] == nil)
        }
    }

    @Test("a dry run answers the plan and creates, audits and remembers nothing; creating then makes the same cohorts")
    func previewThenCreate() async throws {
        try await TestServer().run { client, server in
            let (_, developer) = try await Self.fleet(client, server)
            let body = Self.body(strategy: #"{"type":"canary","steps":[50],"waves":"region","waveOrder":["us"],"pause":"manual"}"#)
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "plan-then-create-1"]

            let previewed = try await D.post(client, developer, "/deployments?dryRun=true", body, headers: key)
            #expect(previewed.status == .ok, "\(previewed.text)")
            let plan = try previewed.json()
            #expect(plan["dryRun"] as? Bool == true && plan["moduleVersion"] as? String == "1.0.0")
            #expect((plan["targets"] as? [String])?.sorted() == ["eu-1", "eu-2", "eu-3", "us-1", "us-2", "us-3"])
            let (planned, waves) = try Self.cohorts(ofPlan: plan)
            // Canary 50 % within each wave of 3: 2 then 1; `us` first as waveOrder says.
            #expect(waves == ["us", "us", "eu", "eu"])
            #expect(Set(planned.filter { $0.value <= 2 }.keys) == ["us-1", "us-2", "us-3"])
            let approvals = try #require(plan["approvals"] as? [String: Any])
            #expect(approvals["required"] as? Int == 1 && approvals["approverRoles"] as? [String] == ["admin"])
            #expect(approvals["selfApproval"] as? Bool == false)
            #expect((plan["warnings"] as? [Any])?.isEmpty == true)

            #expect(try await Self.listed(client, developer).isEmpty, "no deployment row")
            #expect(try await server.recentAudit(limit: 1000).filter { $0.action.hasPrefix("deployment.") }.isEmpty, "no audit event")

            // The same key and body now create: the dry run left no idempotency record to replay.
            let created = try await D.post(client, developer, "/deployments", body, headers: key)
            #expect(created.status == .created && created.headers[HTTPField.Name("Idempotency-Replayed")!] == nil)
            let id = try #require(try created.json()["id"] as? String)
            #expect(try await Self.cohorts(client, developer, id) == planned)
            #expect(try created.json()["rollout"].flatMap { ($0 as? [String: Any])?["stepCount"] as? Int } == 4)
        }
    }

    @Test("a dry run refuses what creation refuses, with the same status and problem type")
    func previewValidatesAsCreation() async throws {
        try await TestServer().run { client, server in
            let (_, developer) = try await Self.fleet(client, server)
            let viewer = try await server.token(subject: "view@example.com", role: .viewer)
            let refusals: [(String, String, String, Int)] = [
                ("unknown waves", developer, Self.body(strategy: #"{"type":"rolling","batchSize":2,"waves":"planet"}"#), 400),
                ("waves on allAtOnce", developer, Self.body(strategy: #"{"type":"allAtOnce","waves":"zone"}"#), 400),
                ("waveOrder without waves", developer, Self.body(strategy: #"{"type":"canary","steps":[5],"waveOrder":["eu"]}"#), 400),
                ("duplicate waveOrder", developer, Self.body(strategy: #"{"type":"canary","steps":[5],"waves":"zone","waveOrder":["a","a"]}"#), 400),
                ("unknown version", developer, D.deploymentBody(version: "9.9.9", target: Self.target), 404),
                ("no target", developer, D.deploymentBody(target: #"{"regions":["mars"]}"#), 422),
                ("viewer", viewer, Self.body(strategy: #"{"type":"allAtOnce"}"#), 403),
            ]
            for (name, token, body, status) in refusals {
                let preview = try await D.post(client, token, "/deployments?dryRun=true", body).problem(status: status)
                let create = try await D.post(client, token, "/deployments", body).problem(status: status)
                #expect(preview["type"] as? String == create["type"] as? String, "\(name)")
                #expect(preview["detail"] as? String == create["detail"] as? String, "\(name)")
                if name.contains("wave") { #expect((preview["detail"] as? String)?.contains("'strategy.wave") == true, "\(name)") }
            }
            let strict = try await D.post(client, developer, "/deployments?dryRun=yes", Self.body(strategy: #"{"type":"allAtOnce"}"#))
            #expect((try strict.problem(status: 400)["detail"] as? String)?.contains("dryRun") == true)
            #expect(try await Self.listed(client, developer).isEmpty)
        }
    }

    @Test("the plan warns about targets the rollout would skip and wave names no target has")
    func previewWarnings() async throws {
        try await TestServer().run { client, server in
            let (admin, developer) = try await Self.fleet(client, server)
            let disable = try await client.execute(
                uri: D.base + "/nodes/us-2", method: .put, headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"isEnabled": false}"#)
            ) { $0 }
            #expect(disable.status == .ok)
            let body = Self.body(strategy: #"{"type":"rolling","batchSize":3,"waves":"region","waveOrder":["ap","us"]}"#)
            let plan = try await D.post(client, developer, "/deployments?dryRun=true", body).json()
            let warnings = try #require(plan["warnings"] as? [[String: Any]])
            #expect(warnings.map { "\($0["type"] ?? "") \($0["nodeId"] ?? "-")" } == ["disabled us-2", "unknownWave -"])
            #expect(try Self.cohorts(ofPlan: plan).waves == ["us", "eu"], "the disabled node stays a target, skipped when its cohort starts")
        }
    }
}
