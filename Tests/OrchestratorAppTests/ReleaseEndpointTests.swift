import Deployments
import FleetSimulation
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrchestratorDomain
import Testing
import WasmFixtures

/// Issue 13 over HTTP: releases, nodes that join or return, leaving, conflicts and retry (embedded default).
@Suite("Releases and convergence over HTTP")
struct ReleaseEndpointTests {
    typealias D = DeploymentEndpointTests
    static let base = "/api/v1/wasm"

    static func read(_ client: any TestClientProtocol, _ token: String, _ path: String) async throws -> [String: Any] {
        try await client.execute(uri: base + path, method: .get, headers: [.authorization: "Bearer \(token)"]) { response throws in
            #expect(response.status == .ok, "\(path): \(response.text)")
            return try response.json()
        }
    }

    /// Creates and executes a development deployment (no approval needed) of `hello@version` to every `tier=edge` node.
    static func start(_ client: any TestClientProtocol, _ admin: String, version: String = "1.0.0", extra: String = "") async throws -> String {
        let id = try await D.create(
            client, admin, D.deploymentBody(version: version, environment: "development", target: #"{"labels":{"tier":"edge"}}"#, extra: extra))
        #expect(try await D.post(client, admin, "/deployments/\(id)/execute").status == .ok)
        return id
    }

    @Test("deploy before the node's first heartbeat: it is Offline, not Skipped; it gets the module when it returns; late nodes on enrollment")
    func offlineAndLateNodes() async throws {
        try await TestServer(environment: D.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            let online = try await SimulatedFleet.enroll(client, admin: admin, ids: ["on-1"], environment: "development")
            let away = try await SimulatedFleet.enroll(client, admin: admin, ids: ["away-1"], environment: "development", heartbeat: false)
            _ = try await D.upload(client, admin)
            let id = try await Self.start(client, admin)
            let done = try await D.settle(client, admin, id, fleet: online, until: "Completed")
            let progress = try #require(done["progress"] as? [String: Any])
            let convergence = try #require(progress["convergence"] as? [String: Int])
            #expect(convergence["converged"] == 1 && convergence["offline"] == 1, "\(progress)")
            #expect(progress["percent"] as? Int == 50, "one of two converged, not 100 %")
            #expect(try await D.nodeStates(client, admin, id)["away-1"] == "Offline")
            let releaseID = try #require(done["releaseId"] as? String)

            // The node comes back: its first poll has the module, and its report makes it converged in the release.
            try await away.heartbeat("away-1")
            #expect(try await away.desired("away-1")["hello"]?["releaseId"] as? String == releaseID)
            try await away.round()
            try await online.round()
            var release: [String: Any] = [:]
            for _ in 0..<50 {
                release = try await Self.read(client, admin, "/releases/\(releaseID)")
                if (release["convergence"] as? [String: Int])?["converged"] == 2 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect((release["convergence"] as? [String: Int])?["converged"] == 2, "\(release)")
            #expect(release["version"] as? String == "1.0.0" && release["status"] as? String == "Active")
            #expect((release["nodes"] as? [[String: Any]])?.compactMap { $0["nodeId"] as? String }.sorted() == ["away-1", "on-1"])
            // The deployment's own view follows too: the returned node is Succeeded, 100 % converged.
            #expect(try await D.nodeStates(client, admin, id)["away-1"] == "Succeeded")
            let reread = try await D.get(client, admin, id)
            let after = try #require(reread["progress"] as? [String: Any])
            #expect(after["percent"] as? Int == 100, "\(after)")

            // Enrolled now: the release is in its very first poll, without a new deployment.
            let late = try await SimulatedFleet.enroll(client, admin: admin, ids: ["late-1"], environment: "development")
            #expect(try await late.desired("late-1")["hello"]?["version"] as? String == "1.0.0")
            // Another environment, or no trusted tier=edge label: never.
            let staging = try await SimulatedFleet.enroll(client, admin: admin, ids: ["stage-1"], environment: "staging")
            let core = try await SimulatedFleet.enroll(client, admin: admin, ids: ["core-1"], environment: "development", labels: #"{"tier":"core"}"#)
            #expect(try await staging.desired("stage-1").isEmpty)
            #expect(try await core.desired("core-1").isEmpty)

            let listed = try await Self.read(client, admin, "/releases?moduleName=hello")
            #expect((listed["releases"] as? [[String: Any]])?.map { $0["id"] as? String } == [releaseID])
            _ = try await client.execute(uri: Self.base + "/releases/no-such", method: .get, headers: [.authorization: "Bearer \(admin)"]) {
                try $0.problem(status: 404)
            }
            _ = try await client.execute(uri: Self.base + "/releases?status=Bogus", method: .get, headers: [.authorization: "Bearer \(admin)"]) {
                try $0.problem(status: 400)
            }
        }
    }

    @Test("a deployment whose targets were all offline does not report success at 100 %")
    func allOffline() async throws {
        try await TestServer(environment: D.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            _ = try await SimulatedFleet.enroll(client, admin: admin, ids: ["away-1", "away-2"], environment: "development", heartbeat: false)
            _ = try await D.upload(client, admin)
            let id = try await Self.start(client, admin)
            var body: [String: Any] = [:]
            for _ in 0..<50 {
                body = try await D.get(client, admin, id)
                if body["status"] as? String != "InProgress" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let progress = try #require(body["progress"] as? [String: Any])
            #expect(progress["percent"] as? Int == 0, "\(body)")
            #expect((progress["convergence"] as? [String: Int])?["offline"] == 2)
        }
    }

    @Test("leaving: a node whose trusted label is removed loses the module; rollback reverts the release for late joiners too")
    func leavingAndRollback() async throws {
        try await TestServer(environment: D.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            let fleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["n1", "n2"], environment: "development")
            _ = try await D.upload(client, admin)
            _ = try await D.upload(client, admin, version: "2.0.0")
            _ = try await D.settle(client, admin, try await Self.start(client, admin), fleet: fleet, until: "Completed")
            let second = try await Self.start(client, admin, version: "2.0.0")
            _ = try await D.settle(client, admin, second, fleet: fleet, until: "Completed")
            #expect(try await fleet.desired("n1")["hello"]?["version"] as? String == "2.0.0")

            try await client.execute(
                uri: Self.base + "/nodes/n2", method: .put, headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"labels":{}}"#)
            ) { #expect($0.status == .ok) }
            #expect(try await fleet.desired("n2").isEmpty, "n2 no longer matches the release")

            #expect(try await D.post(client, admin, "/deployments/\(second)/rollback", #"{"reason":"incident"}"#).status == .ok)
            #expect(try await fleet.desired("n1")["hello"]?["version"] as? String == "1.0.0")
            let late = try await SimulatedFleet.enroll(client, admin: admin, ids: ["n3"], environment: "development")
            #expect(try await late.desired("n3")["hello"]?["version"] as? String == "1.0.0", "joined after the rollback: the reverted version")
        }
    }

    @Test("conflicts: an equal-priority overlap is 409 naming both releases; with a priority the node follows the higher one")
    func conflicts() async throws {
        try await TestServer(environment: D.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            let fleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["n1", "n2"], environment: "development")
            _ = try await D.upload(client, admin)
            _ = try await D.upload(client, admin, version: "2.0.0")
            let first = try await Self.start(client, admin)
            let settled = try await D.settle(client, admin, first, fleet: fleet, until: "Completed")
            let firstRelease = try #require(settled["releaseId"] as? String)
            let narrow = D.deploymentBody(version: "2.0.0", environment: "development", target: #"{"nodeIds":["n1"]}"#)
            let refused = try await D.post(client, admin, "/deployments", narrow).problem(status: 409)
            #expect(
                refused["type"] as? String == "https://wasm-orchestrator.dev/problems/release-conflict" || "\(refused)".contains("release-conflict"))
            #expect((refused["detail"] as? String)?.contains(firstRelease) == true)
            #expect((refused["detail"] as? String)?.contains("n1") == true)

            let preferred = try await D.create(
                client, admin,
                D.deploymentBody(version: "2.0.0", environment: "development", target: #"{"nodeIds":["n1"]}"#, extra: #","priority":10"#))
            #expect(try await D.post(client, admin, "/deployments/\(preferred)/execute").status == .ok)
            let done = try await D.settle(client, admin, preferred, fleet: fleet, until: "Completed")
            let n1 = try await fleet.desired("n1")["hello"]
            let n2 = try await fleet.desired("n2")["hello"]
            #expect(n1?["version"] as? String == "2.0.0" && n1?["releaseId"] as? String == done["releaseId"] as? String)
            #expect(n2?["version"] as? String == "1.0.0" && n2?["releaseId"] as? String == firstRelease)
        }
    }

    @Test("retry: failed nodes are dispatched again without a new deployment, within a budget; audited")
    func retry() async throws {
        try await TestServer(environment: D.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            let fleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["n1", "n2"], environment: "development")
            _ = try await D.upload(client, admin)
            let id = try await Self.start(client, admin, extra: #","failureThreshold":0,"autoRollback":false"#)
            _ = try await D.settle(client, admin, id, fleet: fleet, until: "Paused", failing: ["n1"])
            #expect(try await D.nodeStates(client, admin, id)["n1"] == "Failed")
            _ = try await D.post(client, admin, "/deployments/\(id)/retry", #"{"nodes":["n2"]}"#).problem(status: 409)
            let deployer = try await server.token(subject: "ci", role: .deployer)
            _ = try await D.post(client, deployer, "/deployments/\(id)/retry").problem(status: 403)

            for attempt in 1...3 {
                let retried = try await D.post(client, admin, "/deployments/\(id)/retry", #"{"nodes":["n1"]}"#)
                #expect(retried.status == .ok, "\(retried.text)")
                #expect(try await fleet.desired("n1")["hello"]?["attempt"] as? Int == attempt, "the entry changes, so the agent applies it again")
                #expect(try await D.nodeStates(client, admin, id)["n1"] == "Updating")
                try await fleet.round(failing: ["n1"])
                for _ in 0..<50 {
                    if try await D.nodeStates(client, admin, id)["n1"] == "Failed" { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            let spent = try await D.post(client, admin, "/deployments/\(id)/retry").problem(status: 409)
            #expect((spent["detail"] as? String)?.contains("budget") == true)
            let audit = try await Self.read(client, admin, "/audit-events?action=deployment.retry")
            let events = audit["events"] as? [[String: Any]] ?? []
            #expect(events.count >= 3)
        }
    }
}

extension ReleaseEndpointTests {
    @Test("retry after completion: a rollout that completed within its threshold retries its failed node; its next report shows")
    func retryAfterCompletion() async throws {
        try await TestServer(environment: D.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            let fleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["n1", "n2"], environment: "development")
            _ = try await D.upload(client, admin)
            let id = try await Self.start(client, admin, extra: #","failureThreshold":"100%","autoRollback":false"#)
            _ = try await D.settle(client, admin, id, fleet: fleet, until: "Completed", failing: ["n1"])
            #expect(try await D.nodeStates(client, admin, id)["n1"] == "Failed")
            let retried = try await D.post(client, admin, "/deployments/\(id)/retry")
            #expect(retried.status == .ok, "\(retried.text)")
            #expect(try retried.json()["status"] as? String == "Completed")
            #expect(try await fleet.desired("n1")["hello"]?["attempt"] as? Int == 1)
            try await fleet.round()
            var state = ""
            for _ in 0..<50 {
                state = try await D.nodeStates(client, admin, id)["n1"] ?? ""
                if state == "Succeeded" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(state == "Succeeded")
            // The attempt survives the reconciler's passes (the entry still names this deployment and digest).
            let reconciled = try await server.deployments().engine.reconcileFleet()
            #expect(!reconciled.contains { $0.value == "n1" })
            #expect(try await fleet.desired("n1")["hello"]?["attempt"] as? Int == 1)

            // Once a later deployment owns the release, the old one no longer retries (it would fight the release).
            _ = try await D.upload(client, admin, version: "2.0.0")
            let newer = try await Self.start(client, admin, version: "2.0.0", extra: #","failureThreshold":"100%","autoRollback":false"#)
            _ = try await D.settle(client, admin, newer, fleet: fleet, until: "Completed", failing: ["n2"])
            let stale = try await D.post(client, admin, "/deployments/\(id)/retry", #"{"nodes":["n1"]}"#).problem(status: 409)
            #expect((stale["detail"] as? String)?.contains(newer) == true, "\(stale)")
        }
    }
}

extension ReleaseEndpointTests {
    @Test("authorization: releases are read by admins, deployers and viewers; retry by admins only; agents and the anonymous never")
    func authorization() async throws {
        try await TestServer(environment: D.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            let fleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["n1"], environment: "development")
            _ = try await D.upload(client, admin)
            let id = try await Self.start(client, admin)
            let done = try await D.settle(client, admin, id, fleet: fleet, until: "Completed")
            let release = try #require(done["releaseId"] as? String)
            let agent = try #require(fleet.credentials["n1"])
            let readers = [admin, try await server.token(subject: "dev", role: .deployer), try await server.token(subject: "eve", role: .viewer)]
            for path in ["/releases", "/releases/\(release)"] {
                for token in readers {
                    try await client.execute(uri: Self.base + path, method: .get, headers: [.authorization: "Bearer \(token)"]) {
                        #expect($0.status == .ok, "\(path)")
                    }
                }
                _ = try await client.execute(uri: Self.base + path, method: .get, headers: [.authorization: "Bearer \(agent)"]) {
                    try $0.problem(status: 403)
                }
                _ = try await client.execute(uri: Self.base + path, method: .get) { try $0.problem(status: 401) }
            }
            for token in readers.dropFirst() + [agent] {
                _ = try await D.post(client, token, "/deployments/\(id)/retry").problem(status: 403)
            }
            _ = try await client.execute(uri: Self.base + "/deployments/\(id)/retry", method: .post) { try $0.problem(status: 401) }
        }
    }
}

/// Issue 13, item 6: the heartbeat inventory beside the desired state.
@Suite("Observed state and drift over HTTP")
struct DriftEndpointTests {
    typealias D = DeploymentEndpointTests
    typealias R = ReleaseEndpointTests

    static func heartbeat(_ client: any TestClientProtocol, _ fleet: SimulatedFleet, _ id: String, inventory: String) async throws {
        try await client.execute(
            uri: R.base + "/nodes/\(id)/heartbeat", method: .post, headers: fleet.headers(id, json: true),
            body: ByteBuffer(
                string: #"{"cpuUsagePercent":5,"memoryUsageMB":100,"modulesLoaded":1,"inventory":\#(inventory),"conditions":[]}"#)
        ) { #expect($0.status == .noContent) }
    }

    @Test("GET /nodes/{id} shows desired, observed and drift; a lasting difference is drifted: filter, gauge and release count")
    func drift() async throws {
        let environment = D.fastEngine.merging(["NODES_DRIFT_AFTER_SECONDS": "0", "NODES_HEALTH_EVALUATION_SECONDS": "1"]) { $1 }
        try await TestServer(environment: environment).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            let fleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["n1", "n2"], environment: "development")
            let digest = try await D.upload(client, admin)
            let id = try await R.start(client, admin)
            let done = try await D.settle(client, admin, id, fleet: fleet, until: "Completed")
            let release = try #require(done["releaseId"] as? String)

            // n1 holds and runs what it should; n2 says it runs nothing.
            try await Self.heartbeat(client, fleet, "n1", inventory: #"[{"module":"hello","digest":"\#(digest)","state":"running"}]"#)
            try await Self.heartbeat(client, fleet, "n2", inventory: "[]")
            var n2: [String: Any] = [:]
            for _ in 0..<60 {
                n2 = try await R.read(client, admin, "/nodes/n2")
                if n2["drifted"] as? Bool == true { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let drift = try #require(n2["drift"] as? [String: Any])
            #expect(drift["inSync"] as? Bool == false && drift["drifted"] as? Bool == true, "\(n2)")
            #expect((drift["differences"] as? [[String: Any]])?.first?["kind"] as? String == "missing")
            #expect((n2["desired"] as? [[String: Any]])?.first?["releaseId"] as? String == release)
            #expect((n2["observed"] as? [String: Any])?["modules"] as? [Any] != nil)

            let n1 = try await R.read(client, admin, "/nodes/n1")
            #expect((n1["drift"] as? [String: Any])?["inSync"] as? Bool == true && n1["drifted"] as? Bool == false, "\(n1)")
            let listed = try await R.read(client, admin, "/nodes?drifted=true")
            #expect((listed["nodes"] as? [[String: Any]])?.compactMap { $0["nodeId"] as? String } == ["n2"])
            // The gauge follows on the monitor's next pass (n1's earlier empty inventory may still count until then).
            var metrics = ""
            for _ in 0..<60 {
                metrics = try await client.execute(uri: "/metrics", method: .get) { $0.text }
                if metrics.contains("wasm_nodes_drifted 1.0") || metrics.contains("wasm_nodes_drifted 1\n") { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(metrics.contains("wasm_nodes_drifted 1.0") || metrics.contains("wasm_nodes_drifted 1\n"))
            let view = try await R.read(client, admin, "/releases/\(release)")
            let counts = try #require(view["convergence"] as? [String: Int])
            #expect(counts["drifted"] == 1 && counts["converged"] == 2)

            // n2 catches up: in sync, no longer drifted.
            try await Self.heartbeat(client, fleet, "n2", inventory: #"[{"module":"hello","digest":"\#(digest)","state":"running"}]"#)
            var stillDrifted = true
            for _ in 0..<60 {
                let page = try await R.read(client, admin, "/nodes?drifted=true")
                stillDrifted = !((page["nodes"] as? [Any])?.isEmpty ?? true)
                if !stillDrifted { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(!stillDrifted)
            _ = try await client.execute(uri: R.base + "/nodes?drifted=maybe", method: .get, headers: [.authorization: "Bearer \(admin)"]) {
                try $0.problem(status: 400)
            }
        }
    }
}
