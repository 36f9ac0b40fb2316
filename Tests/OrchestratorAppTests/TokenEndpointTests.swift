import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrchestratorApp
import OrchestratorDomain
import Testing

@Suite("POST /api/v1/wasm/auth/tokens: bad input, roles and audit")
struct TokenEndpointTests {
    static let uri = "/api/v1/wasm/auth/tokens"

    private func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    private func headers(_ token: String, contentType: String = "application/json") -> HTTPFields {
        var fields = bearer(token)
        fields[.contentType] = contentType
        return fields
    }

    @Test("only admins mint tokens", arguments: [Role.deployer, .viewer, .agent])
    func forbidden(role: Role) async throws {
        try await TestServer().run { client, server in
            let token = try await server.token(role: role, node: role == .agent ? "edge-1" : nil)
            try await client.execute(
                uri: Self.uri, method: .post, headers: headers(token), body: json(#"{"subject":"bob","role":"admin"}"#)
            ) { _ = try $0.problem(status: 403) }
        }
    }

    @Test("an admin mints a working token, and the write is audited")
    func mint() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(subject: "root", role: .admin)
            let minted = try await client.execute(
                uri: Self.uri, method: .post, headers: headers(admin),
                body: json(#"{"subject":"ci-bot","role":"deployer","ttlSeconds":120}"#)
            ) { response -> String in
                #expect(response.status == .created)
                #expect(response.headers[.cacheControl] == "no-store")
                let body = try response.json()
                #expect(body["role"] as? String == "deployer")
                return try #require(body["token"] as? String)
            }
            try await client.execute(uri: "/api/v1/wasm/auth/whoami", method: .get, headers: bearer(minted)) { response throws in
                #expect(try response.json()["subject"] as? String == "ci-bot")
            }
            let event = try #require(try await server.recentAudit(limit: 1).first)
            #expect(event.action == "auth.token.issue")
            #expect(event.actor == "root")
            #expect(event.target == "subject:ci-bot#deployer")
            #expect(event.outcome == .success)
        }
    }

    @Test("wrong content type is 415, malformed JSON 400, oversized body 413, bad fields 400")
    func badInput() async throws {
        try await TestServer(environment: ["SERVER_MAX_BODY_BYTES": "2048"]).run { client, server in
            let admin = try await server.token(role: .admin)
            try await client.execute(uri: Self.uri, method: .post, headers: headers(admin, contentType: "text/plain"), body: json("{}")) {
                _ = try $0.problem(status: 415)
            }
            try await client.execute(uri: Self.uri, method: .post, headers: headers(admin), body: json(#"{"subject": "x", "#)) { response throws in
                #expect(try response.problem(status: 400)["detail"] as? String == "the body is not valid JSON")
            }
            try await client.execute(uri: Self.uri, method: .post, headers: headers(admin), body: json(#"{"role":"admin"}"#)) { response throws in
                #expect(try response.problem(status: 400)["detail"] as? String == "missing required field 'subject'")
            }
            try await client.execute(uri: Self.uri, method: .post, headers: headers(admin), body: json(#"{"subject":"x","role":"root"}"#)) {
                _ = try $0.problem(status: 400)
            }
            try await client.execute(
                uri: Self.uri, method: .post, headers: headers(admin), body: json(#"{"subject":"x","role":"viewer","ttlSeconds":5}"#)
            ) {
                _ = try $0.problem(status: 400)
            }
            try await client.execute(uri: Self.uri, method: .post, headers: headers(admin), body: json(#"{"subject":"n","role":"agent"}"#)) {
                _ = try $0.problem(status: 400)
            }
            try await client.execute(uri: Self.uri, method: .post, headers: headers(admin), body: json("")) {
                _ = try $0.problem(status: 400)
            }
            let big = #"{"subject":""# + String(repeating: "x", count: 4096) + #"","role":"viewer"}"#
            try await client.execute(uri: Self.uri, method: .post, headers: headers(admin), body: json(big)) {
                _ = try $0.problem(status: 413)
            }
        }
    }
}
