import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrchestratorApp
import OrchestratorDomain
import Testing

@Suite("Authentication, authorization and problem responses")
struct AuthEndpointTests {
    @Test("no token is 401 problem+json with a bearer challenge")
    func missingToken() async throws {
        try await TestServer().run { client, _ in
            try await client.execute(uri: "/api/v1/wasm/auth/whoami", method: .get) { response throws in
                _ = try response.problem(status: 401)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer ") == true)
            }
            try await client.execute(uri: "/api/v1/wasm/auth/whoami", method: .get, headers: [.authorization: "Basic YWxpY2U6cHc="]) {
                _ = try $0.problem(status: 401)
            }
            try await client.execute(uri: "/api/v1/wasm/auth/whoami", method: .get, headers: bearer("not-a-jwt")) {
                _ = try $0.problem(status: 401)
            }
        }
    }

    @Test("whoami names the caller of a valid token", arguments: Role.allCases)
    func whoami(role: Role) async throws {
        try await TestServer().run { client, server in
            let token = try await server.token(subject: "alice", role: role, node: role == .agent ? "edge-1" : nil)
            try await client.execute(uri: "/api/v1/wasm/auth/whoami", method: .get, headers: bearer(token)) { response throws in
                #expect(response.status == .ok)
                let body = try response.json()
                #expect(body["subject"] as? String == "alice")
                #expect(body["role"] as? String == role.rawValue)
            }
        }
    }

    @Test("a token signed with another secret is 401")
    func foreignToken() async throws {
        try await TestServer().run { client, _ in
            let other = try await TestServer()
            _ = try OrchestratorApp.SecretBootstrap.loadOrCreate(dataDirectory: other.dataDirectory)
            defer { try? FileManager.default.removeItem(atPath: other.dataDirectory) }
            let foreign = try await other.token(role: .admin)
            try await client.execute(uri: "/api/v1/wasm/auth/whoami", method: .get, headers: bearer(foreign)) { response throws in
                let problem = try response.problem(status: 401)
                #expect(problem["detail"] as? String == "the token's signature does not verify")
            }
        }
    }

    @Test("a sane X-Request-ID is echoed and used as the problem instance; a hostile one is replaced")
    func requestID() async throws {
        try await TestServer().run { client, _ in
            try await client.execute(uri: "/api/v1/wasm/auth/whoami", method: .get, headers: [HTTPField.Name("X-Request-ID")!: "ci-run-42.step:7"]) {
                response throws in
                #expect(response.headers[HTTPField.Name("X-Request-ID")!] == "ci-run-42.step:7")
                #expect(try response.problem(status: 401)["instance"] as? String == "ci-run-42.step:7")
            }
            for hostile in [String(repeating: "a", count: 129), "id with spaces", "x\"y"] {
                try await client.execute(uri: "/health", method: .get, headers: [HTTPField.Name("X-Request-ID")!: hostile]) { response throws in
                    let echoed = try #require(response.headers[HTTPField.Name("X-Request-ID")!])
                    #expect(echoed != hostile)
                    #expect(UUID(uuidString: echoed) != nil)
                }
            }
        }
    }

    @Test("unknown routes are 404 problem+json")
    func notFound() async throws {
        try await TestServer().run { client, _ in
            try await client.execute(uri: "/api/v1/wasm/nothing-here", method: .get) { _ = try $0.problem(status: 404) }
            try await client.execute(uri: "/nothing", method: .delete) { _ = try $0.problem(status: 404) }
        }
    }
}
