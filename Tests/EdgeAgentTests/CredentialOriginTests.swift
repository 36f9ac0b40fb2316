import AsyncHTTPClient
import EdgeAgent
import Foundation
import Logging
import NIOCore
import Testing

/// Issue 11, item 8: the node credential goes only to the orchestrator's own origin.
@Suite("Credential origin and https")
struct CredentialOriginTests {
    @Test("the credential may go only to the orchestrator's scheme, host and port")
    func originRule() throws {
        let policy = try RequestPolicy(orchestratorURL: "https://api.example.com", insecure: false)
        #expect(policy.mayCarryCredential(try policy.resolve("https://API.example.com:443/api/v1/wasm/modules/x")))
        for other in [
            "https://api.example.com:8443/x", "https://s3.example.com/x", "https://api.example.com.evil.test/x",
            "https://evil.test/?u=https://api.example.com",
        ] {
            #expect(!policy.mayCarryCredential(try policy.resolve(other)), "\(other)")
        }
        let relative = try policy.resolve("/blobs/x", against: URL(string: "https://s3.example.com/presigned"))
        #expect(!policy.mayCarryCredential(relative), "a relative redirect resolves against the redirecting URL, not the orchestrator")
    }

    @Test("plain http and odd schemes are refused under an https orchestrator unless insecure")
    func schemes() throws {
        let strict = try RequestPolicy(orchestratorURL: "https://api.example.com", insecure: false)
        #expect(throws: RequestPolicy.Refusal.self) { try strict.resolve("http://s3.example.com/blob") }
        for bad in ["file:///etc/passwd", "ftp://x/y", "//no-scheme", "not a url", "https://", "https://h/\u{0}"] {
            #expect(throws: RequestPolicy.Refusal.self, "\(bad)") { try strict.resolve(bad) }
        }
        let lax = try RequestPolicy(orchestratorURL: "https://api.example.com", insecure: true)
        #expect(try lax.resolve("http://s3.example.com/blob").scheme == "http")
    }

    @Test("an http orchestrator URL is refused without --insecure, and the message says how to allow it")
    func httpNeedsInsecure() throws {
        let configuration = AgentConfiguration(nodeId: "edge-1", region: "eu", zone: "eu-1", orchestratorApiUrl: "http://api.example.com")
        let problem = try #require(configuration.problem)
        #expect(problem.contains("--insecure") && problem.contains("WASM_AGENT_INSECURE"))
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { try? http.syncShutdown() }
        #expect(throws: AgentError.self) { try EdgeAgent(configuration: configuration, http: http, logger: Logger(label: "test")) }
        var allowed = configuration
        allowed.insecure = true
        #expect(allowed.problem == nil)
    }

    @Test("a download URL of another origin gets no credential; a redirect of the orchestrator does not pass it on")
    func downloadsDoNotLeakTheCredential() async throws {
        let orchestrator = FakeOrchestrator(), blobStore = FakeOrchestrator()
        try await blobStore.serve { other in
            try await orchestrator.serve { base in
                let first = AgentFixtures.hello(), second = AgentFixtures.shortSleep()
                blobStore.update { $0.blobs = ["/blobs/direct": first, "/blobs/redirected": second] }
                orchestrator.update {
                    $0.blobs = ["/blobs/own": first]
                    $0.redirects = ["/blobs/moved": other + "/blobs/redirected"]
                }
                orchestrator.setModules([
                    TestModule(name: "direct", version: "1.0.0", digest: digest(first), downloadUrl: other + "/blobs/direct", entrypoint: "handle"),
                    TestModule(name: "moved", version: "1.0.0", digest: digest(second), downloadUrl: base + "/blobs/moved"),
                    TestModule(name: "own", version: "1.0.0", digest: digest(first), downloadUrl: "/blobs/own", entrypoint: "handle"),
                ])
                try await withAgent(base: base) {
                    try await orchestrator.until("all three run") { state in
                        ["direct", "moved", "own"].allSatisfy { name in state.reports.contains { $0.module == name && $0.state == "running" } }
                    }
                }
                let foreign = blobStore.read(\.blobAuthorization)
                #expect(foreign.count == 2)
                #expect(foreign.allSatisfy { $0.authorization == nil }, "\(foreign)")
                let own = orchestrator.read(\.blobAuthorization)
                #expect(own.count == 2 && own.allSatisfy { $0.authorization == "Bearer \(FakeOrchestrator.credential)" }, "\(own)")
            }
        }
    }
}

@Suite("Issued credential")
struct IssuedCredentialTests {
    @Test("a credential with control characters is refused, not stored or sent as a header")
    func hostileCredentialIsRefused() async throws {
        let fake = FakeOrchestrator()
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        fake.update { $0.registrationAnswer = #"{"credential":"wnc_x\r\nX-Injected: 1","heartbeatIntervalSeconds":1}"# }
        try await fake.serve { base in
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let configuration = AgentConfiguration(
                nodeId: "edge-cred-01", region: "eu", zone: "eu-1", orchestratorApiUrl: base, stateDirectory: state, enrollmentToken: "wet_test",
                insecure: true)
            let agent = try EdgeAgent(configuration: configuration, http: http, logger: Logger(label: "test"))
            await #expect(throws: AgentError.self) { try await agent.run() }
            try await http.shutdown()
            #expect(!FileManager.default.fileExists(atPath: state + "/credential"))
            #expect(fake.read(\.heartbeats) == 0)
        }
    }
}

@Suite("Bounded exchanges")
struct BoundedExchangeTests {
    @Test("a body that trickles for ever ends at the exchange's time limit, not never", .timeLimit(.minutes(1)))
    func tricklingBodyTimesOut() async throws {
        let fake = FakeOrchestrator()
        try await fake.serve { base in
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let client = try OrchestratorClient(baseURL: base, http: http, downloadTimeout: .seconds(1), insecure: true)
            let started = ContinuousClock.now
            await #expect(throws: OrchestratorClient.Failure.self) {
                _ = try await client.download(base + "/trickle", credential: "c", maxBytes: 1 << 20)
            }
            // The body never ends (the test's time limit stops that failure); 20 s tells "bounded by the 1 s limit"
            // apart from "never" however slowly a loaded machine runs (CI once took 6.8 s here).
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .seconds(20), "ended after \(elapsed)")
            try await http.shutdown()
        }
    }
}
