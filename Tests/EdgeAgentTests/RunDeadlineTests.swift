import EdgeAgent
import Foundation
import Testing

/// Issue 11, item 8: a running module never stalls the agent.
///
/// The time bounds tell "stopped at its deadline" from "never stopped" (these modules sleep for ever or for 600 s),
/// not how fast: a debug build instantiating WasmKit on a loaded two-core CI machine took 15 s.
@Suite("Run deadlines and an agent that keeps listening")
struct RunDeadlineTests {
    @Test("a module sleeping in poll_oneoff fails with 'deadline exceeded' at its deadline")
    func sleepingModuleHitsDeadline() async {
        let runner = ModuleRunner(fuelBudget: 1_000_000, deadlineSeconds: 0.5)
        let started = ContinuousClock.now
        let failure = await runner.runWithDeadline(AgentFixtures.sleepForever(), entrypoint: "_start", memoryLimitBytes: 1 << 20, env: [:])
        #expect(failure == .deadlineExceeded)
        #expect(ContinuousClock.now - started < .seconds(60), "stopped, not run to its end")
    }

    @Test("a module spinning on fuel is abandoned at its deadline")
    func spinningModuleHitsDeadline() async {
        let runner = ModuleRunner(fuelBudget: 3_000_000, deadlineSeconds: 0.3)
        let started = ContinuousClock.now
        let failure = await runner.runWithDeadline(AgentFixtures.spin(), entrypoint: "spin", memoryLimitBytes: 1 << 20, env: [:])
        #expect(failure == .deadlineExceeded || failure?.description.contains("fuel") == true)
        #expect(ContinuousClock.now - started < .seconds(60), "stopped, not run to its end")
    }

    @Test("a short WASI sleep completes; bad poll_oneoff pointers answer errno, never trap the host")
    func wellBehavedPolls() async {
        let runner = ModuleRunner(fuelBudget: 1_000_000, deadlineSeconds: 10)
        #expect(await runner.runWithDeadline(AgentFixtures.shortSleep(), entrypoint: "_start", memoryLimitBytes: 1 << 20, env: [:]) == nil)
        #expect(await runner.runWithDeadline(AgentFixtures.badPointerPoll(), entrypoint: "_start", memoryLimitBytes: 1 << 20, env: [:]) == nil)
    }

    @Test("cancelling the waiting task wakes a sleeping module at once")
    func cancellationStopsTheWait() async {
        let runner = ModuleRunner(fuelBudget: 1_000_000, deadlineSeconds: 600)
        let started = ContinuousClock.now
        let waiting = Task { await runner.runWithDeadline(AgentFixtures.sleepForever(), entrypoint: "_start", memoryLimitBytes: 1 << 20, env: [:]) }
        try? await Task.sleep(for: .milliseconds(200))
        waiting.cancel()
        #expect(await waiting.value == .cancelled)
        #expect(ContinuousClock.now - started < .seconds(60), "stopped, not run to its end")
    }

    @Test("after a module that sleeps for ever, a new deployment and then a rollback still reach the agent")
    func laterDesiredStatesArrive() async throws {
        let fake = FakeOrchestrator()
        try await fake.serve { base in
            let sleeper = AgentFixtures.sleepForever(), hello = AgentFixtures.hello(), other = AgentFixtures.shortSleep()
            fake.update {
                $0.blobs = ["/blobs/sleeper": sleeper, "/blobs/hello": hello, "/blobs/other": other]
            }
            fake.setModules([TestModule(name: "greeter", version: "1.0.0", digest: digest(sleeper), downloadUrl: base + "/blobs/sleeper")])
            // A deadline far beyond the test: only an independent poll loop lets the next states arrive.
            try await withAgent(base: base, entrypointTimeoutSeconds: 3600) {
                try await fake.until("the sleeping module is starting") { $0.reports.contains { $0.version == "1.0.0" && $0.state == "starting" } }
                fake.setModules([
                    TestModule(name: "greeter", version: "2.0.0", digest: digest(hello), downloadUrl: base + "/blobs/hello", entrypoint: "handle")
                ])
                try await fake.until("the new deployment runs") { $0.reports.contains { $0.version == "2.0.0" && $0.state == "running" } }
                fake.setModules([TestModule(name: "greeter", version: "1.5.0", digest: digest(other), downloadUrl: base + "/blobs/other")])
                try await fake.until("the rollback runs") { $0.reports.contains { $0.version == "1.5.0" && $0.state == "running" } }
                let heartbeats = fake.read(\.heartbeats)
                try await fake.until("heartbeats go on") { $0.heartbeats > heartbeats }
            }
        }
    }

    @Test("a module past its deadline is reported failed with reason 'deadline exceeded'")
    func deadlineIsReported() async throws {
        let fake = FakeOrchestrator()
        try await fake.serve { base in
            let sleeper = AgentFixtures.sleepForever()
            fake.update { $0.blobs = ["/blobs/sleeper": sleeper] }
            fake.setModules([TestModule(name: "greeter", version: "1.0.0", digest: digest(sleeper), downloadUrl: base + "/blobs/sleeper")])
            try await withAgent(base: base, entrypointTimeoutSeconds: 0.5) {
                try await fake.until("the deadline is reported", seconds: 30) {
                    $0.reports.contains { $0.state == "failed" && $0.reason == "deadline exceeded" }
                }
            }
        }
    }
}
