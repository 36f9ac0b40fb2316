import FleetSimulation
import Foundation
import OrchestratorClient
import Testing

/// `login`, the credentials file and the environment overrides, through the real binary and server.
@Suite("Client commands: login and errors", .serialized)
struct ClientLoginTests {
    @Test("login reads the token on stdin, checks it, and stores address and token in a 0600 file; env vars override it")
    func login() async throws {
        let server = try await ClientTestServer.start()
        defer { server.stop() }
        let admin = try await server.token("alice", role: "admin")

        let loggedIn = try await server.cli(["login", "--address", server.address], token: nil, input: admin + "\n")
        #expect(loggedIn.status == 0, "\(loggedIn.stderr)")
        #expect(loggedIn.stdout.contains("as alice (admin)"))
        let path = server.directory + "/config/wasm-orchestrator/credentials.json"
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let stored = try JSONDecoder().decode(Credentials.self, from: try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(stored == Credentials(address: server.address, token: admin))

        // No token in the environment and no address: the file is used.
        let fromFile = try await server.cli(["module", "list"], token: nil, fileOnly: true)
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(fromFile.stdout.hasPrefix("NAME"))

        // WASM_ORCHESTRATOR_TOKEN overrides the file's token: a garbage one is refused with the problem's title and detail.
        let overridden = try await server.cli(["module", "list"], token: "not-a-jwt")
        #expect(overridden.status == ClientExitCode.notAuthorized)
        #expect(overridden.stderr.contains("Unauthorized (401): "))
        #expect(overridden.stdout.isEmpty)

        // WASM_ORCHESTRATOR_ADDR overrides the file's address: a closed port is "unreachable".
        let closed = "http://127.0.0.1:\(freeLoopbackPort())"
        let unreachable = try await server.cli(["module", "list"], token: nil, environment: ["WASM_ORCHESTRATOR_ADDR": closed])
        #expect(unreachable.status == ClientExitCode.unavailable)
        #expect(unreachable.stderr.contains("cannot reach the server"))
    }

    @Test("login with a token the server refuses writes no file and exits 3; no token at all is exit 3 too")
    func refusedLogin() async throws {
        let server = try await ClientTestServer.start()
        defer { server.stop() }
        let refused = try await server.cli(["login"], token: nil, input: "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl\n")
        #expect(refused.status == ClientExitCode.notAuthorized)
        #expect(refused.stderr.contains("Unauthorized (401)"))
        #expect(!FileManager.default.fileExists(atPath: server.directory + "/config/wasm-orchestrator/credentials.json"))

        let anonymous = try await server.cli(["node", "list"], token: nil)
        #expect(anonymous.status == ClientExitCode.notAuthorized)
        #expect(anonymous.stderr.contains("not logged in"))
    }

    @Test("a refusal prints title and detail and exits 1; a viewer's write is 403 (exit 3); bad usage exits 64")
    func errors() async throws {
        let server = try await ClientTestServer.start()
        defer { server.stop() }
        let deployer = try await server.token("dev", role: "deployer")
        let viewer = try await server.token("val", role: "viewer")

        let missing = try await server.cli(["module", "show", "nothing-here", "1.0.0"], token: deployer)
        #expect(missing.status == ClientExitCode.refused)
        #expect(missing.stderr.contains("Not Found (404): "))
        #expect(missing.stderr.contains("type urn:wasm-orchestrator:problem:"))

        let forbidden = try await server.cli(["node", "disable", "edge-1"], token: viewer)
        #expect(forbidden.status == ClientExitCode.notAuthorized)
        #expect(forbidden.stderr.contains("Forbidden (403): role 'viewer'"))

        let noReason = try await server.cli(["deploy", "rollback", "6f1c2b1e-4a7e-4d55-9d0c-3f1f7b8a9e21"], token: deployer)
        #expect(noReason.status == ClientExitCode.usage)
        #expect(noReason.stderr.contains("--reason"))
    }

    @Test("swift-argument-parser's completion script covers the client commands and their flags")
    func completions() async throws {
        let directory = try CommandLineTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = try await CommandLineTests.run(["--generate-completion-script", "bash"], in: directory)
        #expect(script.status == 0)
        for word in ["login", "deploy", "rollback", "--reason", "--watch", "enroll", "audit"] { #expect(script.stdout.contains(word), "\(word)") }
    }
}
