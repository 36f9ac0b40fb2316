import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrchestratorApp
import OrchestratorDomain
import Testing

/// `DELETE /api/v1/wasm/auth/tokens/{jti}` and the minting rules of `POST /auth/tokens`.
@Suite("Token revocation and minted tokens over HTTP")
struct TokenRevocationEndpointTests {
    static let base = "/api/v1/wasm/auth"

    private func whoami(_ client: any TestClientProtocol, _ token: String) async throws -> TestResponse {
        try await client.execute(uri: Self.base + "/whoami", method: .get, headers: bearer(token)) { $0 }
    }

    private func revoke(_ client: any TestClientProtocol, _ token: String, _ jti: String) async throws -> TestResponse {
        try await client.execute(uri: Self.base + "/tokens/\(jti)", method: .delete, headers: bearer(token)) { $0 }
    }

    private func mint(_ client: any TestClientProtocol, _ token: String, _ body: String) async throws -> TestResponse {
        var headers = bearer(token)
        headers[.contentType] = "application/json"
        return try await client.execute(uri: Self.base + "/tokens", method: .post, headers: headers, body: ByteBuffer(string: body)) { $0 }
    }

    private func tokenID(_ client: any TestClientProtocol, _ token: String) async throws -> String {
        try #require(try await whoami(client, token).json()["tokenId"] as? String)
    }

    @Test("any caller revokes its own token: 204, then the token is refused with 401; revoking again is 204")
    func revokeOwn() async throws {
        try await TestServer().run { client, server in
            let viewer = try await server.token(subject: "vic", role: .viewer)
            let jti = try await tokenID(client, viewer)
            #expect(try await revoke(client, viewer, jti).status == .noContent)
            _ = try await whoami(client, viewer).problem(status: 401)
            let admin = try await server.token(subject: "root", role: .admin)
            #expect(try await revoke(client, admin, jti).status == .noContent, "idempotent")
            let events = try await server.recentAudit(limit: 5).filter { $0.action == "auth.token.revoke" }
            #expect(events.map(\.actor).sorted() == ["root", "vic"])
            #expect(events.allSatisfy { $0.target == "token:\(jti)" && $0.outcome == .success })
        }
    }

    @Test("a non-admin may not revoke someone else's token (403, audited as denied); an admin may revoke any")
    func revokeOthers() async throws {
        try await TestServer().run { client, server in
            let alice = try await server.token(subject: "alice", role: .deployer)
            let bob = try await server.token(subject: "bob", role: .deployer)
            let bobJTI = try await tokenID(client, bob)
            _ = try await revoke(client, alice, bobJTI).problem(status: 403)
            #expect(try await whoami(client, bob).status == .ok, "the refused revocation changed nothing")
            #expect(try await server.recentAudit(limit: 1).first?.outcome == .denied)

            let admin = try await server.token(subject: "root", role: .admin)
            #expect(try await revoke(client, admin, bobJTI).status == .noContent)
            _ = try await whoami(client, bob).problem(status: 401)
            #expect(try await whoami(client, alice).status == .ok)
            // An id nobody presented yet is recorded too (the server keeps no list of issued tokens).
            #expect(try await revoke(client, admin, "not-issued-yet").status == .noContent)
        }
    }

    @Test("a malformed jti is 400 problem+json naming the parameter", arguments: ["a%20b", "a%00b", "x%0Ay", String(repeating: "j", count: 257)])
    func badTokenID(jti: String) async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(subject: "root", role: .admin)
            let problem = try await revoke(client, admin, jti).problem(status: 400)
            #expect((problem["detail"] as? String)?.contains("'jti'") == true)
        }
    }

    @Test("a minted token never outlives the minter's own token and carries act (nested when the minter was minted)")
    func mintedLifetimeAndActor() async throws {
        try await TestServer().run { client, server in
            let root = try await server.token(subject: "root", role: .admin, ttl: 600)
            let rootExpiry = try #require(try await whoami(client, root).json()["expiresAt"] as? String)
            let minted = try await mint(client, root, #"{"subject":"bob","role":"admin","ttlSeconds":86400}"#)
            #expect(minted.status == .created)
            let body = try minted.json()
            #expect(try #require(body["expiresAt"] as? String) <= rootExpiry)
            #expect(body["actors"] as? [String] == ["root"])
            let bob = try #require(body["token"] as? String)
            let bobIdentity = try await whoami(client, bob).json()
            #expect(bobIdentity["subject"] as? String == "bob")
            #expect(bobIdentity["actors"] as? [String] == ["root"])
            #expect(try #require(bobIdentity["expiresAt"] as? String) <= rootExpiry)
            #expect(bobIdentity["tokenId"] as? String == body["tokenId"] as? String)

            let carolBody = try await mint(client, bob, #"{"subject":"carol","role":"viewer"}"#).json()
            let carol = try #require(carolBody["token"] as? String)
            #expect(try await whoami(client, carol).json()["actors"] as? [String] == ["bob", "root"])
            let issued = try await server.recentAudit(limit: 1).first
            #expect(issued?.action == "auth.token.issue" && issued?.actor == "bob" && issued?.actors == ["root"])
        }
    }

    @Test(
        "subjects outside the charset are 400 naming 'subject'; ttlSeconds beyond the maximum lifetime is 400",
        arguments: [#"bob smith"#, #"bob\u0000"#, #"bob\nadmin"#, #"<script>"#, #"ålice"#, String(repeating: "x", count: 129)])
    func subjectCharset(subject: String) async throws {
        try await TestServer(environment: ["AUTH_JWT_MAX_LIFETIME_SECONDS": "7200"]).run { client, server in
            let admin = try await server.token(subject: "root", role: .admin)
            let problem = try await mint(client, admin, #"{"subject":"\#(subject)","role":"viewer"}"#).problem(status: 400)
            #expect((problem["detail"] as? String)?.contains("'subject'") == true)
            let tooLong = try await mint(client, admin, #"{"subject":"ok","role":"viewer","ttlSeconds":7201}"#).problem(status: 400)
            #expect((tooLong["detail"] as? String)?.contains("7200") == true)
        }
    }

    @Test("the server refuses a token whose lifetime exceeds auth.jwt.maxLifetimeSeconds")
    func verifierMaximumLifetime() async throws {
        try await TestServer(environment: ["AUTH_JWT_MAX_LIFETIME_SECONDS": "3600"]).run { client, server in
            let long = try await server.token(subject: "root", role: .admin, ttl: 3601)
            let problem = try await whoami(client, long).problem(status: 401)
            #expect((problem["detail"] as? String)?.contains("lifetime") == true)
            #expect(try await whoami(client, try await server.token(subject: "root", role: .admin, ttl: 3600)).status == .ok)
        }
    }
}
