import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrchestratorDomain
import Testing

/// Issue 11, item 9: the bad-input corpus (`Support/BadInputCorpus.swift`) against the live
/// server on the embedded default, as every role that can reach each route.
@Suite("Bad-input corpus")
struct BadInputCorpusTests {
    typealias N = NodeEndpointTests
    typealias E = DeploymentEndpointTests
    static let base = "/api/v1/wasm"

    /// What the API shows of everything a refused request could have changed. Audit rows are
    /// deliberately left out: refusals are audited (`denied` / `failure`), so the audit log is
    /// expected to grow while the corpus runs.
    static func snapshot(_ client: any TestClientProtocol, admin: String, viewer: String, deployment: String) async throws -> [String: String] {
        let reads: [(String, String)] = [
            ("/modules", admin), ("/modules/hello/versions", admin), ("/modules/hello/versions/1.0.0", admin), ("/nodes", admin),
            ("/nodes/n1", admin),
            ("/deployments", admin), ("/deployments/\(deployment)", admin), ("/deployments/\(deployment)/nodes", admin),
            ("/enrollment-tokens?includeExpired=true", admin), ("/nodes/n1/desired-state", viewer),
        ]
        var state: [String: String] = [:]
        for (path, token) in reads {
            state[path] = try await client.execute(uri: base + path, method: .get, headers: bearer(token)) { response in
                // `pollAfterSeconds` is jittered on every answer; it is not state.
                "\(response.status.code) "
                    + response.text.replacingOccurrences(of: #""pollAfterSeconds":[0-9]+"#, with: "", options: .regularExpression)
            }
        }
        return state
    }

    /// One corpus request on its own connection (a refusal may close the connection), or why it could not be sent.
    static func send(_ item: CorpusCase, port: Int, tokens: [CorpusRole: String]) async -> (CorpusCase, TestClient.Response?, String?) {
        var headers = item.headers
        if let token = tokens[item.role], headers[.authorization] == nil { headers[.authorization] = "Bearer \(token)" }
        let request = TestClient.Request(
            base + item.path, method: item.method, authority: "localhost", headers: headers, body: item.body.map { ByteBuffer(bytes: $0) })
        do {
            let response = try await TestClient.withClient(host: "localhost", port: port, configuration: .init(timeout: .seconds(15))) { client in
                try await client.execute(request)
            }
            return (item, response, nil)
        } catch {
            return (item, nil, "\(error)")
        }
    }

    /// Why an answer breaks the standard (5xx, or a 4xx that is not RFC 9457 with a matching status), or nil.
    static func violation(_ response: TestClient.Response) -> String? {
        let code = Int(response.status.code)
        if code >= 500 { return "answered \(code)" }
        guard code >= 400 else { return nil }
        guard response.headers[.contentType] == "application/problem+json" else {
            return "\(code) as \(response.headers[.contentType] ?? "no content type")"
        }
        let document = response.body.flatMap { try? JSONSerialization.jsonObject(with: Data($0.readableBytesView)) as? [String: Any] }
        guard document?["status"] as? Int == code else {
            return "\(code) with a problem document whose status is \(String(describing: document?["status"]))"
        }
        return nil
    }

    @Test("every malformed, oversized, overflowing or control-character input is a 4xx problem+json, the server lives, and nothing changes")
    func corpus() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(subject: "root", role: .admin)
            let deployer = try await server.token(subject: "dev", role: .deployer)
            let viewer = try await server.token(subject: "eve", role: .viewer)
            let enrollment = try await N.enrollmentToken(client, admin: admin)
            let (registered, body) = try await N.register(client, token: enrollment, id: "n1")
            #expect(registered == 201)
            let node = try #require(body["credential"] as? String)
            _ = try await E.upload(client, admin)
            let fixture = BadInputCorpus.Fixture(
                deployment: try await E.create(client, deployer, BadInputCorpus.deploymentBody(.init(deployment: ""))))
            let tokens: [CorpusRole: String] = [.admin: admin, .deployer: deployer, .viewer: viewer, .node: node, .enrollment: enrollment]
            let port = try #require(client.port)

            let before = try await Self.snapshot(client, admin: admin, viewer: viewer, deployment: fixture.deployment)
            let cases = BadInputCorpus.build(fixture)
            #expect(cases.count >= 300)
            #expect(Set(cases.map(\.role)) == Set(CorpusRole.allCases), "every role sends part of the corpus")

            var violations: [String] = []
            var unsent: [String] = []
            var answered = 0
            // A few requests at a time keep the run short without turning it into a load test.
            for batch in stride(from: 0, to: cases.count, by: 8) {
                let slice = cases[batch..<min(batch + 8, cases.count)]
                let results = await withTaskGroup(of: (CorpusCase, TestClient.Response?, String?).self) { group in
                    for item in slice { group.addTask { await Self.send(item, port: port, tokens: tokens) } }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                for (item, response, error) in results {
                    if let response {
                        answered += 1
                        if let problem = Self.violation(response) { violations.append("\(item): \(problem)") }
                        // No corpus write is valid, so a 2xx on a write names the input that slipped through.
                        if item.method != .get, (200..<300).contains(Int(response.status.code)) {
                            violations.append("\(item): accepted with \(response.status.code)")
                        }
                    } else {
                        unsent.append("\(item): \(error ?? "")")
                    }
                }
            }
            #expect(violations.isEmpty, "\(violations.count) bad answers:\n\(violations.prefix(40).joined(separator: "\n"))")
            // A request the server refuses at the HTTP parser (or cuts off) is not an application answer; it must stay rare.
            #expect(answered >= 300, "only \(answered) answers; unsent:\n\(unsent.prefix(20).joined(separator: "\n"))")
            #expect(unsent.isEmpty, "\(unsent.count) requests got no answer:\n\(unsent.prefix(20).joined(separator: "\n"))")

            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok, "the server is alive") }
            let after = try await Self.snapshot(client, admin: admin, viewer: viewer, deployment: fixture.deployment)
            for (path, value) in before where after[path] != value {
                Issue.record("\(path) changed:\nbefore: \(value.prefix(1_500))\nafter:  \(after[path]?.prefix(1_500) ?? "")")
            }
        }
    }
}
