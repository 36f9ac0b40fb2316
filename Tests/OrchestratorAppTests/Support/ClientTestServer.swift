import AsyncHTTPClient
import FleetSimulation
import Foundation
import NIOCore
import NIOHTTP1

/// A real `wasm-orchestrator serve` (embedded default) as a child process on a free port with a temporary data
/// dir, and the client commands run against it with a config dir of their own.
final class ClientTestServer: @unchecked Sendable {
    let directory: String
    let address: String
    private let server: Process
    private var children: [Process] = []

    private init(directory: String, address: String, server: Process) {
        self.directory = directory
        self.address = address
        self.server = server
    }

    /// Starts the server and waits until `/health/ready` answers 200.
    static func start() async throws -> ClientTestServer {
        let directory = try CommandLineTests.scratch()
        let port = freeLoopbackPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
        process.arguments = ["serve", "--port", String(port), "--data-dir", directory + "/data"]
        process.environment = ["PATH": "/usr/bin:/bin", "DEPLOYMENTS_EVALUATION_INTERVAL_MILLISECONDS": "100", "LOG_LEVEL": "warning"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: try Self.create(directory + "/server.log")) ?? FileHandle.nullDevice
        try process.run()
        let server = ClientTestServer(directory: directory, address: "http://127.0.0.1:\(port)", server: process)
        for _ in 0..<150 {
            let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: server.address + "/health/ready"), timeout: .seconds(2))
            if response?.status == .ok { return server }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        throw ServerDidNotStart()
    }

    struct ServerDidNotStart: Error {}

    private static func create(_ path: String) throws -> String {
        FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }

    /// A token minted with `token issue` against the server's data dir.
    func token(_ subject: String, role: String) async throws -> String {
        let result = try await CommandLineTests.run(
            ["token", "issue", "--subject", subject, "--role", role, "--data-dir", directory + "/data"], in: directory)
        guard result.status == 0 else { throw ServerDidNotStart() }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The client's environment: its own HOME and XDG_CONFIG_HOME, the server's address (unless `fileOnly`), and `token` if given.
    func environment(token: String?, fileOnly: Bool = false) -> [String: String] {
        var environment = ["HOME": directory, "XDG_CONFIG_HOME": directory + "/config"]
        environment["WASM_ORCHESTRATOR_ADDR"] = fileOnly ? nil : address
        environment["WASM_ORCHESTRATOR_TOKEN"] = token
        return environment
    }

    /// Runs `wasm-orchestrator ARGUMENTS` as a client of this server.
    func cli(
        _ arguments: [String], token: String?, input: String? = nil, environment extra: [String: String] = [:], fileOnly: Bool = false
    ) async throws -> CommandLineTests.Result {
        try await CommandLineTests.run(
            arguments, environment: environment(token: token, fileOnly: fileOnly).merging(extra) { _, new in new }, input: input, in: directory)
    }

    /// Starts `wasm-edge-agent --simulate COUNT` against this server; it is stopped with the server.
    func simulateAgents(_ count: Int, enrollmentToken: String) throws {
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: CommandLineTests.binary).deletingLastPathComponent().appendingPathComponent("wasm-edge-agent")
        agent.arguments = [
            "--simulate", String(count), "--orchestrator-url", address, "--enrollment-token", enrollmentToken, "--heartbeat-seconds", "1",
            "--log-level", "warning",
        ]
        agent.standardOutput = FileHandle.nullDevice
        agent.standardError = FileHandle(forWritingAtPath: try Self.create(directory + "/agents.log")) ?? FileHandle.nullDevice
        try agent.run()
        children.append(agent)
    }

    /// A file in the server's scratch directory.
    func write(_ name: String, _ contents: Data) throws -> String {
        let path = directory + "/" + name
        try contents.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Sends SIGTERM to the agents and the server without waiting (nothing here outlives the test's directory).
    func stop() {
        for child in children + [server] where child.isRunning { child.terminate() }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
