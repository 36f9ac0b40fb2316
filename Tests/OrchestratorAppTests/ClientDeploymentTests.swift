import Foundation
import OrchestratorClient
import Testing
import WasmFixtures

/// A whole deployment driven by the CLI, with simulated agents (`wasm-edge-agent --simulate`) reporting `running`.
@Suite("Client commands: a deployment", .serialized)
struct ClientDeploymentTests {
    @Test("enroll, push, plan, create (deployer, YAML), approve and execute (admin), watch to Completed (exit 0), roll back (watch exits 5)")
    func wholeDeployment() async throws {
        let server = try await ClientTestServer.start()
        defer { server.stop() }
        let admin = try await server.token("admin@example.com", role: "admin")
        let deployer = try await server.token("dev@example.com", role: "deployer")

        let enrollment = try await server.cli(["enroll", "token", "create", "--max-uses", "3", "-o", "json"], token: admin)
        #expect(enrollment.status == 0, "\(enrollment.stderr)")
        let secret = try #require(try JSONValue.parse(Data(enrollment.stdout.utf8))["token"]?.stringValue)
        try server.simulateAgents(3, enrollmentToken: secret)
        try await until("three simulated nodes registered") {
            let nodes = try await server.cli(["node", "list", "-o", "json"], token: deployer)
            return (try? JSONValue.parse(Data(nodes.stdout.utf8)))?["nodes"]?.arrayValue?.count == 3
        }
        let nodes = try await server.cli(["node", "list"], token: deployer)
        #expect(nodes.stdout.split(separator: "\n").count == 4, "a header and three nodes:\n\(nodes.stdout)")

        let file = try server.write("hello.wasm", Data(WasmFixtures.hello()))
        #expect(try await server.cli(["module", "push", "hello", "1.0.0", file], token: deployer).status == 0)

        let plan = try await server.cli(
            ["deploy", "plan", "--module", "hello", "--version", "1.0.0", "--region", "sim", "--strategy", "rolling", "--batch-size", "2"],
            token: deployer)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("3 target node(s)"))
        #expect(plan.stdout.contains("approvals: 1 required"))
        #expect(plan.stdout.split(separator: "\n").filter { $0.hasPrefix("1 ") || $0.hasPrefix("2 ") }.count == 2, "two cohorts:\n\(plan.stdout)")

        let spec = try server.write(
            "deployment.yaml",
            Data(
                """
                moduleName: hello
                moduleVersion: 1.0.0
                environment: production
                target:
                  regions: [sim]
                strategy:
                  type: rolling
                  batchSize: 2
                nodeTimeoutSeconds: 30
                description: shipped by the CLI test
                """.utf8))
        let created = try await server.cli(["deploy", "create", "-f", spec, "-o", "json"], token: deployer)
        #expect(created.status == 0, "\(created.stderr)")
        let deployment = try JSONValue.parse(Data(created.stdout.utf8))
        #expect(deployment["status"] == .string("PendingApproval"))
        let id = try #require(deployment["id"]?.stringValue)

        let selfApproval = try await server.cli(["deploy", "approve", id], token: deployer)
        #expect(selfApproval.status == ClientExitCode.notAuthorized)
        let approved = try await server.cli(["deploy", "approve", id, "--comment", "reviewed"], token: admin)
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(approved.stdout.contains("Approved"))
        let executed = try await server.cli(["deploy", "execute", id], token: admin)
        #expect(executed.status == 0, "\(executed.stderr)")
        #expect(executed.stdout.contains("InProgress"))

        let watched = try await server.cli(["deploy", "status", id, "--watch", "--interval", "0.3"], token: deployer)
        #expect(watched.status == 0, "\(watched.stdout)\n\(watched.stderr)")
        let lines = watched.stdout.split(separator: "\n")
        #expect(lines.last?.contains("Completed 100% Succeeded=3") == true, "\(watched.stdout)")
        #expect(!watched.stdout.contains("\u{1B}["), "no ANSI redraw into a pipe")

        let shown = try await server.cli(["deploy", "status", id], token: deployer)
        #expect(shown.stdout.contains("COHORT") && shown.stdout.contains("Succeeded=2") && shown.stdout.contains("recent events:"))
        let releases = try await server.cli(["release", "list"], token: deployer)
        #expect(releases.stdout.contains("hello") && releases.stdout.contains(id))
        let listed = try await server.cli(["release", "list", "-o", "json"], token: deployer)
        let page = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any]
        let releaseID = try #require((page?["releases"] as? [[String: Any]])?.first?["id"] as? String, "\(listed.stdout)")
        let release = try await server.cli(["release", "show", releaseID], token: deployer)
        #expect(release.status == 0, "\(release.stderr)")
        #expect(release.stdout.range(of: #"converged\s+3\b"#, options: .regularExpression) != nil, "\(release.stdout)")
        #expect(release.stdout.range(of: #"total\s+3\b"#, options: .regularExpression) != nil, "\(release.stdout)")

        let rolledBack = try await server.cli(["deploy", "rollback", id, "--reason", "CLI test incident"], token: admin)
        #expect(rolledBack.status == 0, "\(rolledBack.stderr)")
        #expect(rolledBack.stdout.contains("RolledBack"))
        let afterRollback = try await server.cli(["deploy", "status", id, "--watch"], token: deployer)
        #expect(afterRollback.status == ClientExitCode.unsuccessful)
        #expect(afterRollback.stderr.contains("the deployment ended RolledBack: CLI test incident"))

        let audit = try await server.cli(["audit", "list", "--target", "deployment:\(id)"], token: admin)
        #expect(audit.status == 0)
        #expect(audit.stdout.contains("deployment.rollback") && audit.stdout.contains("deployment.create"))
        let again = try await server.cli(["deploy", "rollback", id, "--reason", "twice"], token: admin)
        #expect(again.status == ClientExitCode.refused)
        #expect(again.stderr.contains("Conflict (409): "))
    }

    @Test("node show, disable and enable")
    func nodes() async throws {
        let server = try await ClientTestServer.start()
        defer { server.stop() }
        let admin = try await server.token("admin@example.com", role: "admin")
        let enrollment = try await server.cli(["enroll", "token", "create"], token: admin)
        #expect(enrollment.status == 0, "\(enrollment.stderr)")
        let secret = String(try #require(enrollment.stdout.split(separator: "\n").first))
        #expect(secret.hasPrefix("wet_"))
        try server.simulateAgents(1, enrollmentToken: secret)
        try await until("the simulated node registered") {
            try await server.cli(["node", "show", "sim-00000"], token: admin).status == 0
        }
        let shown = try await server.cli(["node", "show", "sim-00000"], token: admin)
        #expect(shown.stdout.contains("region") && shown.stdout.contains("sim"))
        #expect(try await server.cli(["node", "disable", "sim-00000"], token: admin).stdout == "sim-00000 is disabled\n")
        #expect(try await server.cli(["node", "list", "--enabled", "false", "-o", "json"], token: admin).stdout.contains("sim-00000"))
        #expect(try await server.cli(["node", "enable", "sim-00000"], token: admin).stdout == "sim-00000 is enabled\n")
    }

    /// Polls `condition` every 200 ms for up to 60 s.
    func until(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<300 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        if try await condition() { return }
        Issue.record("timed out waiting until \(what)")
        throw CancellationError()
    }
}
