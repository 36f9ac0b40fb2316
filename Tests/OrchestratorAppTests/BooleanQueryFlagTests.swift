import Foundation
import HTTPTypes
import HummingbirdTesting
import OrchestratorDomain
import Testing

/// Boolean query flags are exactly `true` or `false` (schemathesis ST201: `includeExpired=null` was read as `false`).
@Suite("Boolean query flags refuse anything but true and false")
struct BooleanQueryFlagTests {
    @Test("includeExpired other than true/false is 400 problem+json naming the parameter", arguments: ["null", "yes", "1", "True", ""])
    func includeExpiredIsStrict(value: String) async throws {
        try await TestServer().run { client, server in
            let token = try await server.token(role: .admin)
            try await client.execute(uri: "/api/v1/wasm/enrollment-tokens?includeExpired=\(value)", method: .get, headers: bearer(token)) {
                let problem = try $0.problem(status: 400)
                #expect((problem["detail"] as? String)?.contains("includeExpired") == true)
            }
        }
    }

    @Test("includeExpired true and false are accepted", arguments: ["true", "false"])
    func includeExpiredAccepts(value: String) async throws {
        try await TestServer().run { client, server in
            let token = try await server.token(role: .admin)
            try await client.execute(uri: "/api/v1/wasm/enrollment-tokens?includeExpired=\(value)", method: .get, headers: bearer(token)) {
                #expect($0.status == .ok)
            }
        }
    }
}
