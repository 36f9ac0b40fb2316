import Foundation
import Testing

/// Issue 11, item 8, on the built `wasm-edge-agent` process: a module that
/// sleeps for ever neither freezes the agent nor keeps SIGTERM from stopping
/// it. Only flags and environment variables that older agents also accept
/// (or ignore) are used, so `EDGE_AGENT_BINARY=<older build>` reproduces the
/// old behaviour against the same test.
@Suite("The agent process with modules that never return", .serialized)
struct StopSignalTests {
    /// `EDGE_AGENT_BINARY`, or the built `wasm-edge-agent` next to the test bundle.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["EDGE_AGENT_BINARY"] { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wasm-edge-agent").path
    }

    static func start(base: String, state: String, timeoutSeconds: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--node-id", "edge-process-01", "--orchestrator-url", base, "--state-dir", state, "--enrollment-token", "wet_test", "--log-level",
            "warning",
        ]
        process.environment = ["PATH": "/usr/bin:/bin", "WASM_AGENT_INSECURE": "1", "WASM_AGENT_ENTRYPOINT_TIMEOUT_SECONDS": timeoutSeconds]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test(
        "a real agent: after a module that sleeps for ever, a new deployment and a rollback arrive; then SIGTERM ends it promptly",
        .enabled(if: FileManager.default.isExecutableFile(atPath: StopSignalTests.binary)))
    func sleepingModuleDoesNotFreezeTheProcess() async throws {
        let fake = FakeOrchestrator()
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await fake.serve { base in
            let sleeper = AgentFixtures.sleepForever(), hello = AgentFixtures.hello(), spinner = AgentFixtures.spin()
            fake.update { $0.blobs = ["/blobs/sleeper": sleeper, "/blobs/hello": hello, "/blobs/spinner": spinner] }
            func sleeping(_ version: String) -> TestModule {
                TestModule(name: "greeter", version: version, digest: digest(sleeper), downloadUrl: base + "/blobs/sleeper")
            }
            fake.setModules([sleeping("1.0.0")])
            let process = try Self.start(base: base, state: state, timeoutSeconds: "600")
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            guard try await fake.until("the sleeping module is starting", { $0.reports.contains { $0.version == "1.0.0" && $0.state == "starting" } })
            else { return }
            fake.setModules([
                TestModule(name: "greeter", version: "2.0.0", digest: digest(hello), downloadUrl: base + "/blobs/hello", entrypoint: "handle")
            ])
            try await fake.until("the new deployment runs") { $0.reports.contains { $0.version == "2.0.0" && $0.state == "running" } }
            fake.setModules([sleeping("1.0.0")])
            try await fake.until("the rollback to the sleeping version starts again") { state in
                state.reports.filter { $0.version == "1.0.0" && $0.state == "starting" }.count >= 2
            }
            // Now one module sleeps and another spins on fuel: SIGTERM must still end the process within the default 5 s grace.
            fake.setModules([
                sleeping("1.0.0"),
                TestModule(name: "spinner", version: "1.0.0", digest: digest(spinner), downloadUrl: base + "/blobs/spinner", entrypoint: "spin"),
            ])
            try await fake.until("the spinner is starting") { $0.reports.contains { $0.module == "spinner" && $0.state == "starting" } }
            let signalled = ContinuousClock.now
            process.terminate()
            // Without the bounded stop the spinner keeps the process alive for ever; the 5 s grace plus a margin a
            // loaded CI machine needs to schedule the exit tells the two apart.
            while process.isRunning && ContinuousClock.now - signalled < .seconds(30) { try await Task.sleep(for: .milliseconds(20)) }
            let stopped = ContinuousClock.now - signalled
            #expect(!process.isRunning, "still running 30 s after SIGTERM")
            #expect(stopped < .seconds(20), "stopped \(stopped) after SIGTERM")
        }
    }

    @Test("--stop-grace-seconds bounds the stop", .enabled(if: FileManager.default.isExecutableFile(atPath: StopSignalTests.binary)))
    func graceFlagIsAccepted() async throws {
        let fake = FakeOrchestrator()
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await fake.serve { base in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = [
                "--node-id", "edge-process-02", "--orchestrator-url", base, "--insecure", "--state-dir", state, "--enrollment-token", "wet_test",
                "--stop-grace-seconds", "1",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            try await fake.until("the agent heartbeats") { $0.heartbeats > 0 }
            let signalled = ContinuousClock.now
            process.terminate()
            while process.isRunning && ContinuousClock.now - signalled < .seconds(30) { try await Task.sleep(for: .milliseconds(20)) }
            #expect(!process.isRunning)
            #expect(process.terminationReason == .exit)
        }
    }
}
