import Foundation
import Testing

/// Issue 11, item 8: SIGTERM stops the agent within its grace period even while a module runs.
@Suite("Stopping the agent process")
struct StopSignalTests {
    /// The built `wasm-edge-agent`, next to the test bundle.
    static var binary: String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if directory.lastPathComponent == "MacOS" { directory = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
        return directory.appendingPathComponent("wasm-edge-agent").path
    }

    @Test("SIGTERM while a module sleeps in poll_oneoff (and another spins on fuel): the process ends within the grace period",
          .enabled(if: FileManager.default.isExecutableFile(atPath: StopSignalTests.binary)))
    func sigtermWhileModulesRun() async throws {
        let fake = FakeOrchestrator()
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await fake.serve { base in
            let sleeper = AgentFixtures.sleepForever(), spinner = AgentFixtures.spin()
            fake.update { $0.blobs = ["/blobs/sleeper": sleeper, "/blobs/spinner": spinner] }
            fake.setModules([
                TestModule(name: "sleeper", version: "1.0.0", digest: digest(sleeper), downloadUrl: base + "/blobs/sleeper"),
                TestModule(name: "spinner", version: "1.0.0", digest: digest(spinner), downloadUrl: base + "/blobs/spinner", entrypoint: "spin"),
            ])
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = [
                "--node-id", "edge-stop-01", "--orchestrator-url", base, "--insecure", "--state-dir", state, "--enrollment-token", "wet_test",
                "--entrypoint-timeout-seconds", "600", "--stop-grace-seconds", "2", "--log-level", "warning",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            try await fake.until("both modules are starting") { state in
                ["sleeper", "spinner"].allSatisfy { name in state.reports.contains { $0.module == name && $0.state == "starting" } }
            }
            try await Task.sleep(for: .milliseconds(200))
            let signalled = ContinuousClock.now
            process.terminate()
            while process.isRunning && ContinuousClock.now - signalled < .seconds(8) { try await Task.sleep(for: .milliseconds(20)) }
            #expect(!process.isRunning, "still running 8 s after SIGTERM")
            #expect(ContinuousClock.now - signalled < .seconds(4), "the grace period is 2 s")
        }
    }
}
