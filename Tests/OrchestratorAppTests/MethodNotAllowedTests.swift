import Foundation
import HTTPTypes
import HummingbirdTesting
import OrchestratorDomain
import Testing

/// Undeclared methods on known paths: 405 with `Allow`, not 404 (schemathesis ST204).
@Suite("405 Method Not Allowed for undeclared methods on known paths")
struct MethodNotAllowedTests {
    @Test("DELETE on /health is 405 problem+json with Allow: GET")
    func publicPath() async throws {
        try await TestServer().run { client, _ in
            try await client.execute(uri: "/health", method: .delete) { response throws in
                let problem = try response.problem(status: 405)
                #expect(problem["type"] as? String == "urn:wasm-orchestrator:problem:method-not-allowed")
                #expect(response.headers[.allow] == "GET")
            }
        }
    }

    @Test("PATCH on a templated API path is 405 naming every declared method")
    func templatedPath() async throws {
        try await TestServer().run { client, _ in
            try await client.execute(uri: "/api/v1/wasm/modules/hello/versions/1.0.0", method: .patch) { response throws in
                _ = try response.problem(status: 405)
                let allow = try #require(response.headers[.allow])
                #expect(Set(allow.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) == ["GET", "PUT", "DELETE"])
            }
        }
    }

    @Test("a declared method with an unknown id stays 404, and an unknown path stays 404")
    func notFoundStays() async throws {
        try await TestServer().run { client, server in
            let token = try await server.token(role: .admin)
            try await client.execute(uri: "/api/v1/wasm/deployments/no-such-deployment", method: .get, headers: bearer(token)) {
                _ = try $0.problem(status: 404)
                #expect($0.headers[.allow] == nil)
            }
            try await client.execute(uri: "/no-such-path", method: .delete) {
                _ = try $0.problem(status: 404)
                #expect($0.headers[.allow] == nil)
            }
        }
    }
}
