import Logging
import NIOConcurrencyHelpers
import Operations
import OrchestratorDomain
import Testing

@Suite("Dependency watch: /health reads dependency states from memory, a hanging one included")
struct DependencyWatchTests {
    struct Failure: Error {}

    /// Runs `watch` while `body` runs, then stops it.
    static func running(_ watch: DependencyWatch, _ body: @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await watch.run() }
            try await body()
            group.cancelAll()
        }
    }

    /// Polls `watch` until `name` has `status` (at most 10 s, generous for a loaded CI machine).
    static func status(of name: String, in watch: DependencyWatch, becomes status: DependencyStatus) async -> Bool {
        for _ in 0..<1000 {
            if watch.current().first(where: { $0.name == name })?.status == status { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    @Test("answering dependencies are Healthy, failing ones Unhealthy; the metadata store waits for its schema, read live")
    func states() async throws {
        let schemaReady = NIOLockedValueBox(false)
        let watch = DependencyWatch(
            probes: [
                DependencyProbe(name: "sqlite", isRequired: true, needsSchema: true) {},
                DependencyProbe(name: "filesystem", isRequired: true) {},
                DependencyProbe(name: "redis", isRequired: false) { throw Failure() },
            ],
            isSchemaReady: { schemaReady.withLockedValue { $0 } }, interval: .milliseconds(20), logger: Logger(label: "test"))
        #expect(watch.current().allSatisfy { $0.status == .unhealthy }, "nothing has answered yet")
        try await Self.running(watch) {
            #expect(await Self.status(of: "filesystem", in: watch, becomes: .healthy))
            #expect(watch.current().map(\.name) == ["sqlite", "filesystem", "redis"])
            #expect(watch.current().map(\.status) == [.unhealthy, .healthy, .unhealthy], "schema not migrated; redis fails")
            #expect(watch.current().map(\.isRequired) == [true, true, false])
            schemaReady.withLockedValue { $0 = true }
            #expect(watch.current().first?.status == .healthy, "the gate is read at once, not at the next ping")
        }
    }

    /// Polls until `count` reaches `target` (at most 10 s).
    static func pings(_ count: NIOLockedValueBox<Int>, reach target: Int) async -> Bool {
        for _ in 0..<1000 {
            if count.withLockedValue({ $0 }) >= target { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// A probe whose first ping answers and whose later pings block (like a hiredis call on a silent server) until released.
    static func hangingProbe(pings: NIOLockedValueBox<Int>, release: NIOLockedValueBox<Bool>) -> DependencyProbe {
        DependencyProbe(name: "redis", isRequired: false) {
            let number = pings.withLockedValue { count in
                count += 1
                return count
            }
            guard number > 1 else { return }
            while !release.withLockedValue({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
        }
    }

    /// Two watches, so neither assertion depends on how fast a loaded machine runs the test: one whose timeout
    /// cannot pass during the test, one whose timeout passes at once.
    @Test("a ping that hangs past the timeout, ignoring cancellation, counts as Unhealthy while it hangs")
    func hangingDependency() async throws {
        let pings = NIOLockedValueBox(0)
        let release = NIOLockedValueBox(false)
        let patient = DependencyWatch(
            probes: [Self.hangingProbe(pings: pings, release: release)], isSchemaReady: { true }, interval: .milliseconds(20),
            timeout: .seconds(600), logger: Logger(label: "test"))
        try await Self.running(patient) {
            #expect(await Self.status(of: "redis", in: patient, becomes: .healthy))
            #expect(await Self.pings(pings, reach: 2), "the second ping starts, and hangs")
            try? await Task.sleep(for: .milliseconds(100))
            #expect(patient.current().first?.status == .healthy, "within the timeout the previous answer stands")
            #expect(pings.withLockedValue { $0 } == 2, "no second ping while one hangs")
            // Released before `running` stops the watch: stopping waits for the ping, which ignores cancellation.
            release.withLockedValue { $0 = true }
        }

        let hanging = NIOLockedValueBox(0)
        let released = NIOLockedValueBox(false)
        let strict = DependencyWatch(
            probes: [Self.hangingProbe(pings: hanging, release: released)], isSchemaReady: { true }, interval: .milliseconds(20),
            timeout: .milliseconds(200), logger: Logger(label: "test"))
        try await Self.running(strict) {
            // (Its first, answered ping may pass unseen on a loaded machine: the patient watch asserts that part.)
            #expect(await Self.pings(hanging, reach: 2), "the second ping starts, and hangs")
            #expect(await Self.status(of: "redis", in: strict, becomes: .unhealthy))
            try? await Task.sleep(for: .milliseconds(100))
            #expect(hanging.withLockedValue { $0 } == 2, "no second ping while one hangs")
            released.withLockedValue { $0 = true }
            #expect(await Self.status(of: "redis", in: strict, becomes: .healthy), "healthy again once it answers")
        }
    }
}
