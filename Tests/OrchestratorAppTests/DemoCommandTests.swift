import AsyncHTTPClient
import FleetSimulation
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// `serve --demo`, run as a newcomer would: the real binary, its stdout, and the API it serves.
@Suite("serve --demo", .serialized)
struct DemoCommandTests {
    /// Polls `file` until it contains `text` (at most `seconds`), or the process ended.
    static func wait(for text: String, in file: String, while process: Process, seconds: Int) async throws -> String {
        for _ in 0..<(seconds * 10) {
            let output = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            if output.contains(text) || !process.isRunning { return output }
            try await Task.sleep(for: .milliseconds(100))
        }
        return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }

    static func get(_ url: String, token: String) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
    }

    @Test("a canary completes, a failing canary rolls back by itself, then a deployment waits for approval; SIGTERM ends it")
    func story() async throws {
        let directory = try CommandLineTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = freeLoopbackPort()
        let stdout = directory + "/stdout.log"
        FileManager.default.createFile(atPath: stdout, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
        process.arguments = [
            "serve", "--demo", "--demo-nodes", "30", "--demo-failure-rate", "0", "--demo-step-pause", "1", "--port", "\(port)",
            "--data-dir", "demo",
        ]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ["PATH": "/usr/bin:/bin"]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        let output = try await Self.wait(for: "waits for approval", in: stdout, while: process, seconds: 180)
        #expect(output.contains("console:      http://127.0.0.1:\(port)/console/"), "\(output)")
        #expect(output.contains("30 virtual nodes enrolled in eu-west, us-east, ap-south"), "\(output)")
        let lines = output.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("demo: deployment ") && $0.hasSuffix(" is Completed") }, "the 1.0.0 canary completes: \(output)")
        #expect(lines.contains { $0.hasPrefix("demo: deployment ") && $0.hasSuffix(" is RolledBack") }, "the 1.1.0 canary rolls back: \(output)")
        #expect(output.contains("waits for approval"), "\(output)")

        let tokenLine = try #require(output.split(separator: "\n").first { $0.contains("admin token:") })
        let token = String(tokenLine.split(separator: " ").last ?? "")
        let api = "http://127.0.0.1:\(port)/api/v1/wasm"
        let pending = try await Self.get(api + "/deployments?status=PendingApproval", token: token)
        let waiting = try #require(pending["deployments"] as? [[String: Any]])
        #expect(waiting.count == 1)
        #expect(waiting.first?["moduleVersion"] as? String == "1.1.0")
        #expect(waiting.first?["createdBy"] as? String == "demo-deployer")
        let nodes = try #require(try await Self.get(api + "/nodes?limit=200", token: token)["nodes"] as? [[String: Any]])
        #expect(nodes.count == 30)
        #expect(Set(nodes.compactMap { $0["region"] as? String }) == ["eu-west", "us-east", "ap-south"])

        process.terminate()
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning, "the demo did not stop within 10 s of SIGTERM")
        #expect(process.terminationStatus == 0)
    }

    @Test("serve --demo refuses an external backend, naming the key, with exit 78")
    func embeddedOnly() async throws {
        let directory = try CommandLineTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await CommandLineTests.run(
            ["serve", "--demo", "--port", "\(freeLoopbackPort())"],
            environment: [
                "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "AUTH_JWT_SECRET": String(repeating: "ab", count: 32),
            ],
            in: directory)
        #expect(result.status == 78)
        #expect(result.stderr.contains("--demo runs on the embedded default only; unset database.url"), "\(result.stderr)")
    }
}
