import Foundation
import Testing

/// The built agent process against hostile desired states (issue 11, item 8
/// and the agent's share of item 1). Like ``StopSignalTests``, these use only
/// flags and environment variables that older agents accept or ignore, so
/// `EDGE_AGENT_BINARY=<older build>` shows what an older agent does.
@Suite("The agent process against a hostile orchestrator", .serialized)
struct ProcessHardeningTests {
    /// Runs the agent process on `state` against a fake with `modules`, until `condition` or 30 s.
    @discardableResult
    func withProcess(
        _ fake: FakeOrchestrator, state: String, modules: @Sendable (String) -> [TestModule], blobs: [String: [UInt8]] = [:],
        other: String? = nil, until what: String, _ condition: @escaping @Sendable (FakeOrchestrator.State) -> Bool
    ) async throws -> Bool {
        try await fake.serve { base in
            fake.update { $0.blobs = blobs }
            fake.setModules(modules(base))
            let process = try StopSignalTests.start(base: base, state: state, timeoutSeconds: "30")
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            let reached = try await fake.until(what, condition)
            #expect(process.isRunning, "the agent process must survive it")
            return reached
        }
    }

    @Test(
        "a module name that climbs out of the state directory writes nothing outside it",
        .enabled(if: FileManager.default.isExecutableFile(atPath: StopSignalTests.binary)))
    func traversalStaysInside() async throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bytes = AgentFixtures.hello()
        try await withProcess(
            FakeOrchestrator(), state: root + "/state",
            modules: { base in
                [TestModule(name: "../../escape", version: "1.0.0", digest: digest(bytes), downloadUrl: base + "/blobs/hello", entrypoint: "handle")]
            }, blobs: ["/blobs/hello": bytes], until: "the entry is refused or ran"
        ) { state in
            state.reports.contains { $0.state == "failed" || $0.state == "running" }
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/escape"), "written outside the state directory")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["state"])
    }

    @Test(
        "an overflowing resources.memory is refused, and the process survives",
        .enabled(if: FileManager.default.isExecutableFile(atPath: StopSignalTests.binary)))
    func overflowingMemory() async throws {
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let bytes = AgentFixtures.hello()
        let refused = try await withProcess(
            FakeOrchestrator(), state: state,
            modules: { base in
                [
                    TestModule(
                        name: "greeter", version: "1.0.0", digest: digest(bytes), downloadUrl: base + "/blobs/hello", entrypoint: "handle",
                        resources: ["memory": "9223372036854775807Mi", "cpu": "100m"])
                ]
            }, blobs: ["/blobs/hello": bytes], until: "the entry is refused"
        ) { state in
            state.reports.contains { $0.state == "failed" && ($0.reason ?? "").contains("resources.memory") }
        }
        #expect(refused)
    }

    @Test(
        "a download URL of another origin never receives the node credential",
        .enabled(if: FileManager.default.isExecutableFile(atPath: StopSignalTests.binary)))
    func noCredentialForAnotherOrigin() async throws {
        let blobStore = FakeOrchestrator()
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let bytes = AgentFixtures.hello()
        blobStore.update { $0.blobs = ["/blobs/hello": bytes] }
        try await blobStore.serve { other in
            try await withProcess(
                FakeOrchestrator(), state: state,
                modules: { _ in
                    [TestModule(name: "greeter", version: "1.0.0", digest: digest(bytes), downloadUrl: other + "/blobs/hello", entrypoint: "handle")]
                }, until: "the module runs"
            ) { state in
                state.reports.contains { $0.state == "running" }
            }
        }
        let requests = blobStore.read(\.blobAuthorization)
        #expect(!requests.isEmpty && requests.allSatisfy { $0.authorization == nil }, "\(requests)")
    }

    @Test(
        "reasons the agent reports carry no control characters",
        .enabled(if: FileManager.default.isExecutableFile(atPath: StopSignalTests.binary)))
    func cleanReasons() async throws {
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let fake = FakeOrchestrator()
        fake.update { $0.blobProblem = #"{"detail":"gone\r\nX-Injected: 1\u0001"}"# }
        try await withProcess(
            fake, state: state,
            modules: { base in
                [TestModule(name: "greeter", version: "1.0.0", digest: digest(AgentFixtures.hello()), downloadUrl: base + "/blobs/missing")]
            }, until: "the failure is reported"
        ) { state in
            state.reports.contains { $0.state == "failed" }
        }
        let reasons = fake.read { $0.reports.compactMap(\.reason) }
        #expect(
            !reasons.isEmpty && reasons.allSatisfy { !$0.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) } },
            "\(reasons)")
    }
}
