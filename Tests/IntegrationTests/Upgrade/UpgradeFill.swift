import FleetSimulation
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import OrchestratorDomain
import Testing
import WasmFixtures

/// Fills a database through the API with one of every kind of record the upgrade must keep.
enum UpgradeFill {
    static let base = "/api/v1/wasm"

    /// Version `n` of a module: a WAT module whose `handle` returns `n`, so every version has its own digest.
    static func module(_ n: Int) -> [UInt8] {
        WasmFixtures.wat("(module (memory (export \"memory\") 1 2) (func (export \"handle\") (result i32) i32.const \(n)))")
    }

    /// Modules with versions (one yanked, one deprecated), enrollment tokens, nodes with heartbeats and status reports,
    /// a completed and a rolled-back deployment and a rejected one; every write leaves audit events.
    static func fill(_ client: any TestClientProtocol) async throws {
        let admin = try await UpgradeServer.token(.admin, subject: "ops@example.com")
        let deployer = try await UpgradeServer.token(.deployer, subject: "dev@example.com")
        for (index, version) in ["1.0.0", "1.1.0", "2.0.0"].enumerated() {
            try await send(client, .put, "/modules/hello/versions/\(version)", deployer, bytes: module(index + 1), expect: .created)
        }
        try await send(client, .put, "/modules/greeter/versions/0.1.0", deployer, bytes: module(7), expect: .created)
        try await send(client, .post, "/modules/hello/versions/1.1.0/yank", admin, expect: .ok)
        try await send(client, .post, "/modules/greeter/versions/0.1.0/deprecate", admin, expect: .ok)
        let unused = #"{"maxUses":3,"expiresInSeconds":3600,"region":"eu","description":"rack 4, not yet used"}"#
        try await send(client, .post, "/enrollment-tokens", admin, json: unused, expect: .created)

        let fleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["up-1", "up-2", "up-3"], environment: "development")
        let completed = try await deploy(client, deployer, "1.0.0", fleet: fleet, until: "Completed")
        _ = completed
        let rolledBack = try await deploy(client, deployer, "2.0.0", fleet: fleet, until: "Completed")
        try await send(client, .post, "/deployments/\(rolledBack)/rollback", admin, json: #"{"reason":"error rate after 2.0.0"}"#, expect: .ok)
        try await settle(client, admin, rolledBack, fleet: fleet, until: "RolledBack")
        _ = try await fleet.round()  // the nodes report 1.0.0 running again
        let productionFleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["up-prod"])
        let production =
            #"{"moduleName":"greeter","moduleVersion":"0.1.0","environment":"production","target":{"regions":["eu"]},"#
            + #""entrypoint":"handle","resources":{"memory":"1Mi","cpu":"100m"}}"#
        let rejected = try await send(client, .post, "/deployments", deployer, json: production, expect: .created)["id"] as? String
        try await send(client, .post, "/deployments/\(try #require(rejected))/reject", admin, json: #"{"reason":"not this week"}"#, expect: .ok)
        for id in fleet.credentials.keys { try await fleet.heartbeat(id) }
        try await productionFleet.heartbeat("up-prod")
        // Health transitions are recorded by the monitor (every second here): wait until each node's is.
        for id in fleet.credentials.keys.sorted() + ["up-prod"] {
            for _ in 0..<100 {
                let history = try await send(client, .get, "/nodes/\(id)/health/history", admin, expect: .ok)
                if (history["transitions"] as? [Any])?.isEmpty == false { break }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        // Node rows show the newest heartbeat once the database flush (every second here) has written it.
        try await Task.sleep(for: .milliseconds(2500))
    }

    /// Creates (deployer) and executes (admin) a development deployment of `hello` at `version`; agents report until `status`.
    static func deploy(
        _ client: any TestClientProtocol, _ deployer: String, _ version: String, fleet: SimulatedFleet, until status: String
    ) async throws -> String {
        let admin = try await UpgradeServer.token(.admin, subject: "ops@example.com")
        let body =
            #"{"moduleName":"hello","moduleVersion":"\#(version)","environment":"development","target":{"regions":["eu"]},"#
            + #""entrypoint":"handle","resources":{"memory":"1Mi","cpu":"100m"},"strategy":{"type":"rolling","batchSize":2}}"#
        let id = try #require(try await send(client, .post, "/deployments", deployer, json: body, expect: .created)["id"] as? String)
        try await send(client, .post, "/deployments/\(id)/execute", admin, json: "{}", expect: .ok)
        try await settle(client, admin, id, fleet: fleet, until: status)
        return id
    }

    /// Lets the agents report until deployment `id` is in `status` (at most ~10 s).
    static func settle(_ client: any TestClientProtocol, _ token: String, _ id: String, fleet: SimulatedFleet, until status: String) async throws {
        var current = ""
        for _ in 0..<100 {
            _ = try await fleet.round()
            current = try await send(client, .get, "/deployments/\(id)", token, expect: .ok)["status"] as? String ?? ""
            if current == status { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("deployment \(id) is \(current), wanted \(status)")
    }

    /// One request; records an issue when the status is not `expect`. Returns the JSON body (empty when none).
    @discardableResult
    static func send(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, _ token: String,
        json: String? = nil, bytes: [UInt8]? = nil, expect: HTTPResponse.Status
    ) async throws -> [String: Any] {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if json != nil { headers[.contentType] = "application/json" }
        if bytes != nil { headers[.contentType] = "application/wasm" }
        let body = json.map { ByteBuffer(string: $0) } ?? bytes.map { ByteBuffer(bytes: $0) }
        return try await client.execute(uri: base + path, method: method, headers: headers, body: body) { response in
            #expect(response.status == expect, "\(method) \(path): \(String(buffer: response.body))")
            return (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
        }
    }
}
