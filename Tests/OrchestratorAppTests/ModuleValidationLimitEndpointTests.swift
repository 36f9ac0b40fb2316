import Foundation
import HTTPTypes
import HummingbirdTesting
import OrchestratorDomain
import Testing
import WasmFixtures

/// Uploads that declare more than validation may allocate, over HTTP.
@Suite("Module validation limits over HTTP")
struct ModuleValidationLimitEndpointTests {
    @Test("the 144-byte table bomb: 422 module-limit-exceeded naming the limit, quickly, and nothing stored")
    func tableBomb() async throws {
        try await TestServer().run { client, server in
            let token = try await server.token(role: .deployer)
            let started = ContinuousClock.now
            let response = try await ModuleEndpointTests.put(client, token, WasmFixtures.tableBomb(), module: "bomb")
            // Seconds, not the minutes (and gigabytes) of materialising the tables; generous for a loaded CI machine.
            #expect(ContinuousClock.now - started < .seconds(10))
            let problem = try response.problem(status: 422)
            #expect(problem["type"] as? String == "urn:wasm-orchestrator:problem:module-limit-exceeded")
            #expect(
                problem["detail"] as? String
                    == "the module declares 10 tables with 100000000 entries in total; the limit is 1000000 (modules.validation.maxTableEntries)")
            try await client.execute(uri: "\(ModuleEndpointTests.base)/bomb/versions/1.0.0", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.text.contains(#"wasm_module_validation_failures_total{reason="limits"}"#))
            }
        }
    }

    @Test("limits are configurable: modules.validation.maxFunctions = 10 refuses 11 functions, accepts 10")
    func configuredLimit() async throws {
        try await TestServer(environment: ["MODULES_VALIDATION_MAX_FUNCTIONS": "10"]).run { client, server in
            let token = try await server.token(role: .deployer)
            let refused = try await ModuleEndpointTests.put(client, token, WasmFixtures.functions(11), module: "many")
            #expect(
                try refused.problem(status: 422)["detail"] as? String
                    == "the module declares 11 functions; the limit is 10 (modules.validation.maxFunctions)")
            let accepted = try await ModuleEndpointTests.put(client, token, WasmFixtures.functions(10), module: "many")
            #expect(accepted.status == .created)
        }
    }

    @Test("a validation past modules.validation.deadlineMillis: 422 validation-deadline-exceeded")
    func deadline() async throws {
        // 10 ms is the smallest deadline accepted; 100,000 empty functions take longer than that to parse and compile in any build.
        try await TestServer(environment: ["MODULES_VALIDATION_DEADLINE_MILLIS": "10"]).run { client, server in
            let token = try await server.token(role: .deployer)
            let response = try await ModuleEndpointTests.put(client, token, WasmFixtures.functions(100_000), module: "slow")
            let problem = try response.problem(status: 422)
            #expect(problem["type"] as? String == "urn:wasm-orchestrator:problem:validation-deadline-exceeded")
            #expect((problem["detail"] as? String)?.contains("modules.validation.deadlineMillis") == true)
        }
    }
}
