import Foundation
import OrchestratorClient
import Testing
import WasmFixtures

/// `module push|list|show|yank` through the real binary and server.
@Suite("Client commands: modules", .serialized)
struct ClientModuleTests {
    @Test("push streams a file (no progress bar into a pipe), list and show find it, yank yanks it, -o json is the server's JSON")
    func modules() async throws {
        let server = try await ClientTestServer.start()
        defer { server.stop() }
        let deployer = try await server.token("dev", role: "deployer")
        let file = try server.write("hello.wasm", Data(WasmFixtures.hello()))

        let pushed = try await server.cli(["module", "push", "hello", "1.0.0", file, "--owner", "team-edge"], token: deployer)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(pushed.stdout.hasPrefix("registered\n"))
        #expect(pushed.stdout.contains("sha256:"))
        #expect(!pushed.stderr.contains("[#"), "no progress bar when standard error is not a terminal")

        let again = try await server.cli(["module", "push", "hello", "1.0.0", file, "-o", "json"], token: deployer)
        #expect(again.status == 0)
        let version = try JSONValue.parse(Data(again.stdout.utf8))
        #expect(version["name"] == .string("hello") && version["status"] == .string("active"))
        let digest = try #require(version["digest"]?.stringValue)

        let listed = try await server.cli(["module", "list"], token: deployer)
        #expect(listed.stdout.split(separator: "\n").first?.hasPrefix("NAME") == true)
        #expect(listed.stdout.contains("hello") && listed.stdout.contains("team-edge"))
        let listedJSON = try JSONValue.parse(Data(try await server.cli(["module", "list", "-o", "json"], token: deployer).stdout.utf8))
        #expect(listedJSON["modules"]?.arrayValue?.count == 1)

        let shown = try await server.cli(["module", "show", "hello"], token: deployer)
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("1.0.0") && shown.stdout.contains(digest))
        let shownVersion = try await server.cli(["module", "show", "hello", "1.0.0"], token: deployer)
        #expect(shownVersion.stdout.contains("_start"))

        let yanked = try await server.cli(["module", "yank", "hello", "1.0.0"], token: deployer)
        #expect(yanked.status == 0, "\(yanked.stderr)")
        #expect(yanked.stdout == "hello@1.0.0 is yanked\n")

        let missingFile = try await server.cli(["module", "push", "hello", "1.0.1", server.directory + "/nope.wasm"], token: deployer)
        #expect(missingFile.status == ClientExitCode.usage)
    }
}
