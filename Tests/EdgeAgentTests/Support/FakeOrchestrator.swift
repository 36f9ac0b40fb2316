import AsyncHTTPClient
import EdgeAgent
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

/// A desired-state entry as the orchestrator writes it (the test controls every field).
struct TestModule: Encodable, Sendable {
    var name: String
    var version: String
    var digest: String
    var downloadUrl: String
    var entrypoint: String = "_start"
    var resources: [String: String] = ["memory": "1Mi", "cpu": "100m"]
    var env: [String: String]? = nil
    var deploymentId: String? = "dep-1"
}

/// A received status report.
struct ReceivedReport: Sendable, Decodable {
    var module: String
    var version: String
    var state: String
    var reason: String?
}

/// The agent protocol of the orchestrator, in process, live on a free port:
/// registration, heartbeats, a long-polled desired state the test changes,
/// status reports it records, and blobs whose requests' `Authorization`
/// headers it records. A second instance serves as "another origin".
final class FakeOrchestrator: Sendable {
    struct State {
        var etag = 1
        var modules: [TestModule] = []
        var reports: [ReceivedReport] = []
        var heartbeats = 0
        /// Per blob request path: the Authorization header it carried (nil: none).
        var blobAuthorization: [(path: String, authorization: String?)] = []
        var blobs: [String: [UInt8]] = [:]
        var redirects: [String: String] = [:]
        var registrationAnswer = #"{"credential":"wnc_secret_credential","heartbeatIntervalSeconds":1}"#
        var blobProblem: String?
    }

    let state = Mutex(State())
    static let credential = "wnc_secret_credential"

    func update(_ change: (inout State) -> Void) {
        state.withLock { change(&$0) }
    }

    func read<T>(_ get: (State) -> T) -> T {
        state.withLock { get($0) }
    }

    /// Replaces the desired state (a new ETag).
    func setModules(_ modules: [TestModule]) {
        update {
            $0.modules = modules
            $0.etag += 1
        }
    }

    var router: Router<BasicRequestContext> {
        let router = Router()
        router.post("/api/v1/wasm/nodes") { _, _ -> Response in
            let answer = self.read(\.registrationAnswer)
            return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        router.post("/api/v1/wasm/nodes/:id/heartbeat") { _, _ -> Response in
            self.update { $0.heartbeats += 1 }
            return Response(status: .noContent)
        }
        router.post("/api/v1/wasm/nodes/:id/status") { request, context -> Response in
            struct Body: Decodable { var reports: [ReceivedReport] }
            let body = try await request.decode(as: Body.self, context: context)
            self.update { $0.reports += body.reports }
            return Response(status: .noContent)
        }
        router.get("/api/v1/wasm/nodes/:id/desired-state") { request, _ -> Response in
            let asked = request.headers[.ifNoneMatch]
            // Held up to 1.5 s while unchanged, like the server's long-poll.
            for _ in 0..<75 {
                let (etag, modules) = self.read { ("\"\($0.etag)\"", $0.modules) }
                if asked != etag {
                    let json = try JSONEncoder().encode(["modules": modules])
                    return Response(
                        status: .ok, headers: [.eTag: etag, .contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Array(json)))
                    )
                }
                if request.uri.query == nil { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            return Response(status: .notModified, headers: [HTTPField.Name("X-Poll-After-Seconds")!: "1"])
        }
        router.get("/blobs/:name") { request, _ -> Response in
            let path = request.uri.path
            let (bytes, target, problem) = self.read { ($0.blobs[path], $0.redirects[path], $0.blobProblem) }
            self.update { $0.blobAuthorization.append((path, request.headers[.authorization])) }
            if let target { return Response(status: .temporaryRedirect, headers: [.location: target]) }
            if let problem {
                return Response(
                    status: .notFound, headers: [.contentType: "application/problem+json"], body: .init(byteBuffer: ByteBuffer(string: problem)))
            }
            guard let bytes else { return Response(status: .notFound) }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        // Headers at once, then one byte every 100 ms, for ever (a slow-loris body).
        router.get("/trickle") { _, _ -> Response in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    while true {
                        try await writer.write(ByteBuffer(string: "x"))
                        try await Task.sleep(for: .milliseconds(100))
                    }
                })
        }
        return router
    }

    /// Runs `body` with the fake live on a free port (`http://127.0.0.1:<port>`).
    @discardableResult
    func serve<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(try #require(client.port))")
        }
    }

    /// Waits (20 ms steps, up to `seconds`) until `condition` holds; records an issue otherwise.
    /// The default is generous because the whole suite runs in parallel on two cores in CI, where
    /// instantiating a module in a debug build can take seconds; a condition that holds returns at once.
    @discardableResult
    func until(_ what: String, seconds: Double = 30, _ condition: (State) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if read(condition) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Once more after the deadline: a starved task may wake only after it passed, without having checked.
        if read(condition) { return true }
        Issue.record("timed out after \(seconds) s waiting until \(what); reports: \(read(\.reports))")
        return false
    }

    func reports(of module: String) -> [ReceivedReport] {
        read { $0.reports.filter { $0.module == module } }
    }
}

/// An agent of `configuration` against `base`, run for the duration of `body`, then cancelled.
@discardableResult
func withAgent<T: Sendable>(
    base: String, stateDirectory: String? = nil, entrypointTimeoutSeconds: Double = 30, fuelBudget: UInt64 = 10_000_000_000,
    _ body: @Sendable () async throws -> T
) async throws -> T {
    let directory = stateDirectory ?? temporaryDirectory()
    var httpConfiguration = HTTPClient.Configuration()
    httpConfiguration.redirectConfiguration = .disallow
    let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
    let configuration = AgentConfiguration(
        nodeId: "edge-test-01", region: "eu", zone: "eu-1", orchestratorApiUrl: base, heartbeatInterval: "1", stateDirectory: directory,
        enrollmentToken: "wet_test", fuelBudget: fuelBudget, insecure: true, entrypointTimeoutSeconds: entrypointTimeoutSeconds)
    var logger = Logger(label: "edge-agent-test")
    logger.logLevel = .warning
    let agent = try EdgeAgent(configuration: configuration, http: http, logger: logger)
    let running = Task { try await agent.run() }
    do {
        let result = try await body()
        running.cancel()
        _ = await running.result
        try await http.shutdown()
        return result
    } catch {
        running.cancel()
        _ = await running.result
        try? await http.shutdown()
        throw error
    }
}

func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "edge-agent-tests-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// `sha256:<hex>` of `bytes`.
func digest(_ bytes: [UInt8]) -> String {
    "sha256:" + ModuleCache.sha256(bytes)
}
