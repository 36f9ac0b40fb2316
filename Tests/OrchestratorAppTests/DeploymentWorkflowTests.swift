import Deployments
import FleetSimulation
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrchestratorDomain
import Testing
import WasmFixtures

/// The approval workflow and API conventions of deployments over HTTP.
@Suite("Deployment workflow rules")
struct DeploymentWorkflowTests {
    typealias E = DeploymentEndpointTests
    static let twoApprovals = E.fastEngine.merging(["DEPLOYMENTS_PRODUCTION_REQUIRED_APPROVALS": "2"]) { $1 }

    @Test("four eyes and 2-of-N: self-approval 403, a second approval by the same admin 409, execute before the quorum 409 and changes nothing")
    func fourEyesAndQuorum() async throws {
        try await TestServer(environment: Self.twoApprovals).run { client, server in
            let alice = try await server.token(subject: "alice", role: .admin)
            let bob = try await server.token(subject: "bob", role: .admin)
            let carol = try await server.token(subject: "carol", role: .admin)
            let deployer = try await server.token(subject: "dan", role: .deployer)
            _ = try await SimulatedFleet.enroll(client, admin: alice, ids: ["q1"])
            _ = try await E.upload(client, alice)
            let id = try await E.create(client, alice, E.deploymentBody())

            let own = try await E.post(client, alice, "/deployments/\(id)/approve", #"{"comment":"looks fine"}"#)
            #expect(try own.problem(status: 403)["type"] as? String == "urn:wasm-orchestrator:problem:self-approval-forbidden")
            _ = try await E.post(client, deployer, "/deployments/\(id)/approve").problem(status: 403)
            let first = try await E.post(client, bob, "/deployments/\(id)/approve", #"{"comment":"reviewed"}"#)
            #expect(first.status == .ok)
            #expect(try first.json()["status"] as? String == "PendingApproval")
            #expect((try first.json()["approvals"] as? [String: Any])?["valid"] as? Int == 1)
            let again = try await E.post(client, bob, "/deployments/\(id)/approve")
            #expect(try again.problem(status: 409)["type"] as? String == "urn:wasm-orchestrator:problem:already-approved")
            let early = try await E.post(client, bob, "/deployments/\(id)/execute")
            #expect(try early.problem(status: 409)["type"] as? String == "urn:wasm-orchestrator:problem:approvals-incomplete")
            #expect(try await E.get(client, bob, id)["revision"] as? Int == 2, "the refused execute changed nothing")

            let second = try await E.post(client, carol, "/deployments/\(id)/approve")
            #expect(try second.json()["status"] as? String == "Approved")
            let started = try await E.post(client, bob, "/deployments/\(id)/execute")
            #expect(try started.json()["status"] as? String == "InProgress")
            let approvers = ((try started.json()["approvals"] as? [String: Any])?["received"] as? [[String: Any]])?.compactMap {
                $0["approver"] as? String
            }
            #expect(approvers == ["bob", "carol"])
        }
    }

    @Test("an approval names the digest it reviewed: a mismatch is 409; reject needs a reason and ends the workflow")
    func digestMismatchAndReject() async throws {
        try await TestServer(environment: E.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            let deployer = try await server.token(subject: "dev", role: .deployer)
            _ = try await SimulatedFleet.enroll(client, admin: admin, ids: ["m1"])
            let digest = try await E.upload(client, deployer)
            let id = try await E.create(client, deployer, E.deploymentBody())
            let wrong = "sha256:" + String(repeating: "0", count: 64)
            let mismatch = try await E.post(client, admin, "/deployments/\(id)/approve", #"{"digest":"\#(wrong)"}"#)
            let problem = try mismatch.problem(status: 409)
            #expect(problem["type"] as? String == "urn:wasm-orchestrator:problem:digest-mismatch")
            #expect((problem["detail"] as? String)?.contains(digest) == true)
            _ = try await E.post(client, admin, "/deployments/\(id)/approve", #"{"digest":"nope"}"#).problem(status: 400)
            _ = try await E.post(client, admin, "/deployments/\(id)/reject", "{}").problem(status: 400)
            let rejected = try await E.post(client, admin, "/deployments/\(id)/reject", #"{"reason":"wrong config"}"#)
            let rejectedBody = try rejected.json()
            #expect(rejectedBody["status"] as? String == "Rejected" && rejectedBody["reason"] as? String == "wrong config")
            let late = try await E.post(client, admin, "/deployments/\(id)/approve", #"{"digest":"\#(digest)"}"#)
            #expect((try late.problem(status: 409)["detail"] as? String)?.contains("Rejected") == true)
        }
    }

    @Test("concurrent execute and rollback requests: exactly one of each wins, the rest get 409")
    func concurrentTransitions() async throws {
        try await TestServer(environment: E.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            _ = try await SimulatedFleet.enroll(client, admin: admin, ids: ["x1", "x2"], environment: "development")
            _ = try await E.upload(client, admin)
            let id = try await E.create(client, admin, E.deploymentBody(environment: "development"))
            let deployments = try server.deployments()
            let principal = Principal(subject: "ops", role: .admin)
            func outcomes(_ operation: @escaping @Sendable () async throws -> DeploymentRecord) async -> [String] {
                await withTaskGroup(of: String.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            do { return "won:\(try await operation().revision)" } catch let error as DeploymentError { return "\(error)" } catch {
                                return "other:\(error)"
                            }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
            }
            let executes = await outcomes { try await deployments.execute(id, by: principal, note: nil, ifMatch: nil, requestID: nil) }
            #expect(executes.filter { $0.hasPrefix("won") }.count == 1, "\(executes)")
            #expect(executes.filter { $0.hasPrefix("illegalTransition") }.count == 7, "\(executes)")
            let rollbacks = await outcomes { try await deployments.rollback(id, by: principal, reason: "stop", ifMatch: nil, requestID: nil) }
            #expect(rollbacks.filter { $0.hasPrefix("won") }.count == 1, "\(rollbacks)")
            #expect(rollbacks.filter { $0.hasPrefix("illegalTransition") }.count == 7, "\(rollbacks)")
            let audit = try await server.recentAudit(limit: 40).filter { $0.target == "deployment:\(id)" }
            #expect(audit.filter { $0.action == "deployment.execute" && $0.outcome == .success }.count == 1)
            #expect(audit.filter { $0.action == "deployment.rollback" && $0.outcome == .success }.count == 1)
        }
    }

    @Test("If-Match: a stale ETag is 412 and changes nothing; the current one works")
    func ifMatch() async throws {
        try await TestServer(environment: E.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            _ = try await SimulatedFleet.enroll(client, admin: admin, ids: ["i1"], environment: "development")
            _ = try await E.upload(client, admin)
            let id = try await E.create(client, admin, E.deploymentBody(environment: "development"))
            let etag = try await client.execute(uri: E.base + "/deployments/\(id)", method: .get, headers: bearer(admin)) { response throws in
                // allowedActions depends on the caller and the time: no cache may keep it for another caller or reuse it unasked.
                #expect(response.headers[.cacheControl] == "private, no-cache")
                #expect(response.headers[.vary] == "Authorization")
                return try #require(response.headers[.eTag])
            }
            #expect(etag == "\"r1\"")
            var conditional = bearer(admin)
            conditional[.ifNoneMatch] = etag
            try await client.execute(uri: E.base + "/deployments/\(id)", method: .get, headers: conditional) {
                #expect($0.status == .notModified)
                #expect($0.headers[.cacheControl] == "private, no-cache")
            }
            let stale = try await E.post(client, admin, "/deployments/\(id)/cancel", #"{"reason":"x"}"#, headers: [.ifMatch: "\"r0\""])
            #expect(try stale.problem(status: 412)["type"] as? String == "urn:wasm-orchestrator:problem:precondition-failed")
            _ = try await E.post(client, admin, "/deployments/\(id)/cancel", nil, headers: [.ifMatch: "garbage"]).problem(status: 412)
            let started = try await E.post(client, admin, "/deployments/\(id)/execute", nil, headers: [.ifMatch: etag])
            #expect(started.status == .ok && started.headers[.eTag] == "\"r2\"")
        }
    }

    @Test("Idempotency-Key: a replay returns the same deployment; another body is 422; keys are per caller; bad keys are 400")
    func idempotency() async throws {
        try await TestServer(environment: E.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            let other = try await server.token(subject: "ops2", role: .admin)
            _ = try await SimulatedFleet.enroll(client, admin: admin, ids: ["k1"])
            _ = try await E.upload(client, admin)
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "create-hello-1"]
            let first = try await E.post(client, admin, "/deployments", E.deploymentBody(), headers: key)
            #expect(first.status == .created)
            let replay = try await E.post(client, admin, "/deployments", E.deploymentBody(), headers: key)
            #expect(replay.status == .created)
            #expect(replay.headers[HTTPField.Name("Idempotency-Replayed")!] == "true")
            let firstID = try #require(try first.json()["id"] as? String)
            #expect(try replay.json()["id"] as? String == firstID)
            #expect(replay.headers[.location] == first.headers[.location])
            let changed = try await E.post(client, admin, "/deployments", E.deploymentBody(environment: "staging"), headers: key)
            #expect(try changed.problem(status: 422)["type"] as? String == "urn:wasm-orchestrator:problem:idempotency-key-reused")
            let otherCaller = try await E.post(client, other, "/deployments", E.deploymentBody(), headers: key)
            let otherID = try otherCaller.json()["id"] as? String
            #expect(otherCaller.status == .created && otherID != firstID)
            _ = try await E.post(
                client, admin, "/deployments", E.deploymentBody(), headers: [HTTPField.Name("Idempotency-Key")!: String(repeating: "k", count: 256)]
            )
            .problem(status: 400)
            let listed = try await client.execute(uri: E.base + "/deployments", method: .get, headers: bearer(admin)) {
                try #require(try $0.json()["deployments"] as? [[String: Any]]).count
            }
            #expect(listed == 2)
            // Answers carrying a one-time secret are never stored: a keyed enrollment-token request is not replayed.
            let tokenKey: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "token-1"]
            let a = try await E.post(client, admin, "/enrollment-tokens", "{}", headers: tokenKey)
            let b = try await E.post(client, admin, "/enrollment-tokens", "{}", headers: tokenKey)
            #expect(a.status == .created && b.status == .created && b.headers[HTTPField.Name("Idempotency-Replayed")!] == nil)
        }
    }

    @Test("creation refuses unknown and yanked versions, bad fields, empty targets and incompatible nodes, naming them")
    func creationRefusals() async throws {
        try await TestServer(environment: E.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            _ = try await SimulatedFleet.enroll(client, admin: admin, ids: ["plain-1", "plain-2"], componentModel: false)
            _ = try await E.upload(client, admin)
            let missing = try await E.post(client, admin, "/deployments", E.deploymentBody(version: "9.9.9"))
            #expect(try missing.problem(status: 404)["type"] as? String == "urn:wasm-orchestrator:problem:module-version-not-found")
            let memory = try await E.post(client, admin, "/deployments", E.deploymentBody().replacingOccurrences(of: "128Mi", with: "128MB"))
            #expect((try memory.problem(status: 400)["detail"] as? String)?.contains("resources.memory") == true)
            let nowhere = try await E.post(client, admin, "/deployments", E.deploymentBody(target: #"{"regions":["mars"]}"#))
            #expect(try nowhere.problem(status: 422)["type"] as? String == "urn:wasm-orchestrator:problem:no-target-nodes")
            let entry = try await E.post(
                client, admin, "/deployments", E.deploymentBody().replacingOccurrences(of: "\"handle\"", with: "\"missing\""))
            #expect((try entry.problem(status: 400)["detail"] as? String)?.contains("missing") == true)
            _ = try await E.post(client, admin, "/deployments", #"{"moduleName":"hello"}"#).problem(status: 400)
            _ = try await E.post(client, admin, "/deployments", E.deploymentBody(extra: #","strategy":{"type":"canary","steps":[50,10]}"#)).problem(
                status: 400)

            let component = try await client.execute(
                uri: E.base + "/modules/hello/versions/3.0.0", method: .put,
                headers: [.authorization: "Bearer \(admin)", .contentType: "application/wasm"], body: ByteBuffer(bytes: WasmFixtures.component())
            ) { $0.status }
            #expect(component == .created)
            let incompatible = try await E.post(client, admin, "/deployments", E.deploymentBody(version: "3.0.0"))
            let detail = try #require(try incompatible.problem(status: 422)["detail"] as? String)
            #expect(detail.contains("plain-1") && detail.contains("plain-2") && detail.contains("component-model"))

            let yank = try await E.post(client, admin, "/modules/hello/versions/1.0.0/yank")
            #expect(yank.status == .ok)
            let yanked = try await E.post(client, admin, "/deployments", E.deploymentBody())
            #expect(try yanked.problem(status: 422)["type"] as? String == "urn:wasm-orchestrator:problem:version-yanked")
        }
    }
}

@Suite("Deployment authorization")
struct DeploymentRoleTests {
    typealias E = DeploymentEndpointTests

    @Test("role × route: every deployment and audit endpoint allows exactly the roles it names")
    func roleRouteMatrix() async throws {
        try await TestServer(environment: E.fastEngine).run { client, server in
            let admin = try await server.token(subject: "root", role: .admin)
            let tokens: [Role: String] = [
                .admin: try await server.token(subject: "ops", role: .admin),
                .deployer: try await server.token(subject: "dev", role: .deployer),
                .viewer: try await server.token(subject: "eve", role: .viewer),
            ]
            let fleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["r1"])
            let gateFleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["g1", "g2"], environment: "development")
            _ = try await E.upload(client, admin)
            let creator = try #require(tokens[.deployer])
            let id = try await E.create(client, creator, E.deploymentBody())
            let d = "/deployments/\(id)"
            let routes: [(HTTPRequest.Method, String, String?, Set<Role>)] = [
                (.post, "/deployments", E.deploymentBody(), [.admin, .deployer]),
                (.get, "/deployments", nil, [.admin, .deployer, .viewer]),
                (.get, d, nil, [.admin, .deployer, .viewer]),
                (.get, d + "/nodes", nil, [.admin, .deployer, .viewer]),
                (.post, d + "/approve", "{}", [.admin]),
                (.post, d + "/pause", "{}", [.admin, .deployer]),
                (.post, d + "/resume", nil, [.admin]),
                (.post, d + "/promote", nil, [.admin]),
                (.post, d + "/execute", "{}", [.admin]),
                (.post, d + "/rollback", #"{"reason":"x"}"#, [.admin]),
                (.post, d + "/reject", #"{"reason":"x"}"#, [.admin]),
                (.post, d + "/cancel", "{}", [.admin, .deployer]),
                (.get, "/audit-events", nil, [.admin]),
            ]
            // For a transition, an allowed role acts on a deployment put in the state it applies to (created by
            // the deployer, prepared by another admin), and the state after is asserted: a 409 is not a pass.
            let transitions: [String: (from: String, to: String)] = [
                "/approve": ("PendingApproval", "Approved"), "/pause": ("InProgress", "Paused"), "/resume": ("Paused", "InProgress"),
                "/promote": ("AtManualGate", "InProgress"), "/execute": ("Approved", "InProgress"), "/rollback": ("InProgress", "RolledBack"),
                "/reject": ("PendingApproval", "Rejected"), "/cancel": ("PendingApproval", "Cancelled"),
            ]
            /// A new deployment in `state`; only one per module may be active, so the previous one was ended.
            func prepared(_ state: String) async throws -> String {
                if state == "AtManualGate" {
                    let gated = try await E.create(
                        client, admin,
                        E.deploymentBody(
                            environment: "development", extra: #","strategy":{"type":"canary","steps":[50],"pause":"manual"}"#))
                    #expect(try await E.post(client, admin, "/deployments/\(gated)/execute").status == .ok)
                    for _ in 0..<100 {
                        try await gateFleet.round()
                        if (try await E.get(client, admin, gated)["rollout"] as? [String: Any])?["gate"] as? String == "manual" { break }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect((try await E.get(client, admin, gated)["rollout"] as? [String: Any])?["gate"] as? String == "manual")
                    return gated
                }
                let fresh = try await E.create(client, creator, E.deploymentBody())
                let steps = [("PendingApproval", "/approve"), ("Approved", "/execute"), ("InProgress", "/pause"), ("Paused", "")]
                for (reached, next) in steps {
                    if reached == state { break }
                    #expect(try await E.post(client, admin, "/deployments/\(fresh)\(next)", "{}").status == .ok, "preparing \(state)")
                }
                #expect(try await E.get(client, admin, fresh)["status"] as? String == state, "prepared")
                return fresh
            }
            for (method, path, body, allowed) in routes {
                for role in [Role.viewer, .deployer, .agent, .admin] {
                    let token = role == .agent ? try #require(fleet.credentials["r1"]) : try #require(tokens[role])
                    let suffix = path.hasPrefix(d + "/") ? String(path.dropFirst(d.count)) : ""
                    let transition = allowed.contains(role) ? transitions[suffix] : nil
                    var target: String?
                    if let transition { target = try await prepared(transition.from) }
                    var headers = bearer(token)
                    if body != nil { headers[.contentType] = "application/json" }
                    let uri = E.base + (target.map { "/deployments/\($0)" + suffix } ?? path)
                    let (status, after) = try await client.execute(
                        uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }
                    ) { ($0.status.code, try? $0.json()) }
                    if let transition, let target {
                        #expect(status == 200, "\(role) \(method) \(path) from \(transition.from) got \(status)")
                        #expect(after?["status"] as? String == transition.to, "\(role) \(method) \(path): \(after?["status"] ?? "?")")
                        #expect(try await E.get(client, admin, target)["status"] as? String == transition.to, "\(role) \(path) stored")
                        if suffix == "/promote" {
                            #expect((after?["rollout"] as? [String: Any])?["currentStep"] as? Int == 2, "promote opened the gate")
                        }
                        if ["InProgress", "Paused"].contains(transition.to) {
                            #expect(try await E.post(client, admin, "/deployments/\(target)/cancel", "{}").status == .ok)
                        }
                    } else if allowed.contains(role) {
                        #expect((200...201).contains(status), "\(role) \(method) \(path) got \(status)")
                    } else {
                        #expect(status == 403, "\(role) \(method) \(path) got \(status), wanted 403")
                    }
                }
            }
            let denied = try await server.recentAudit(limit: 200).filter { $0.outcome == .denied && $0.target == "deployment:\(id)" }
            #expect(!denied.isEmpty, "refused approvals are audited as denied")
        }
    }
}
