import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// `wasm-edge-agent --simulate N`: N virtual agents in one process. They
/// enroll, heartbeat, long-poll and report like the real agent, but run no
/// WebAssembly: each reports `running` (or, at `failureRate`, `failed`)
/// after a random latency. A held poll is a suspended task, not a thread.
///
/// Every time all N agents hold the same, new desired state it prints one
/// JSON line `{"event":"converged","etag":…,"nodes":N,"at":<unix seconds>}`
/// on stdout; benchmarks time convergence from it.
public final class FleetSimulator: Sendable {
    public struct Options: Sendable {
        public var count: Int
        public var prefix: String
        public var region: String
        public var enrollmentToken: String
        /// Probability (0…1) that a virtual agent reports a module `failed`.
        public var failureRate: Double
        /// Report latency range, in milliseconds.
        public var latencyMilliseconds: ClosedRange<Int>
        public var heartbeatSeconds: Double
        public var waitSeconds: Int

        public init(
            count: Int, prefix: String = "sim", region: String = "sim", enrollmentToken: String, failureRate: Double = 0,
            latencyMilliseconds: ClosedRange<Int> = 0...0, heartbeatSeconds: Double = 30, waitSeconds: Int = 55
        ) {
            self.count = count
            self.prefix = prefix
            self.region = region
            self.enrollmentToken = enrollmentToken
            self.failureRate = failureRate
            self.latencyMilliseconds = latencyMilliseconds
            self.heartbeatSeconds = heartbeatSeconds
            self.waitSeconds = waitSeconds
        }
    }

    let options: Options
    let client: OrchestratorClient
    let logger: Logger
    /// Per agent: its current ETag. Plus how many agents hold each ETag.
    private struct Tracker {
        var etags: [String: String] = [:]
        var holders: [String: Int] = [:]
        var lastAnnounced: String?
    }

    private let tracker = NIOLockedValueBox(Tracker())
    private let output: @Sendable (String) -> Void

    /// A load generator for test and benchmark set-ups: plain `http` is allowed without `--insecure`
    /// (the real agent's https rule is in ``RequestPolicy``); the URL must still be absolute http(s).
    public init(
        options: Options, http: HTTPClient, baseURL: String, logger: Logger,
        output: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
    ) throws(RequestPolicy.Refusal) {
        self.options = options
        self.client = try OrchestratorClient(baseURL: baseURL, http: http, timeout: .seconds(120), insecure: true)
        self.logger = logger
        self.output = output
    }

    /// An HTTP client sized for `count` concurrent long-polls.
    public static func makeHTTPClient(connections: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: connections + 64)
        configuration.timeout = .init(connect: .seconds(10))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func run() async throws {
        let ids = (0..<options.count).map { String(format: "\(options.prefix)-%05d", $0) }
        let credentials = try await enroll(ids)
        output(#"{"event":"enrolled","nodes":\#(credentials.count),"at":\#(Date().timeIntervalSince1970)}"#)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.heartbeats(credentials) }
            for (id, credential) in credentials {
                group.addTask { try await self.agent(id, credential) }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Registers every virtual node, 64 at a time.
    func enroll(_ ids: [String]) async throws -> [(String, String)] {
        var result: [(String, String)] = []
        for start in stride(from: 0, to: ids.count, by: 64) {
            let batch = ids[start..<min(ids.count, start + 64)]
            try await withThrowingTaskGroup(of: (String, String).self) { group in
                for id in batch {
                    group.addTask {
                        var backoff = Backoff()
                        while true {
                            do {
                                let answer = try await self.client.register(self.registration(id), token: self.options.enrollmentToken)
                                guard let credential = answer.credential else { throw AgentError("\(id): no credential") }
                                // Like the real agent: the first heartbeat right after registering, so the node is not Offline.
                                try? await self.client.heartbeat(self.heartbeat, node: id, credential: credential)
                                return (id, credential)
                            } catch let failure as OrchestratorClient.Failure where failure.isRetryable {
                                try await Task.sleep(for: .seconds(backoff.next()))
                            }
                        }
                    }
                }
                for try await pair in group { result.append(pair) }
            }
        }
        return result
    }

    func registration(_ id: String) -> Wire.Registration {
        Wire.Registration(
            nodeId: id, region: options.region, zone: options.region + "-1", labels: ["simulated": "true"], runtime: "wasmkit",
            runtimeVersion: "0.4.2",
            capabilities: .init(componentModel: true, wasiPreviews: ["preview1", "preview2"]), maxModules: 100,
            hardware: .init(cpuCores: 1, totalMemoryMB: 512, architecture: "x86_64"))
    }

    let heartbeat = Wire.Heartbeat(
        cpuUsagePercent: 1, memoryUsageMB: 64, modulesLoaded: 0, agentVersion: "sim-\(EdgeAgent.version)", inventory: [], conditions: [])

    /// Heartbeats for all agents, spread evenly over the interval.
    func heartbeats(_ credentials: [(String, String)]) async throws {
        // Clamped: a NaN, infinite or huge setting must not trap `Duration.seconds(_:)`.
        let pause = AgentSeconds.clamp(options.heartbeatSeconds, 0.001...3600, fallback: 30) / Double(max(1, credentials.count))
        while true {
            for (id, credential) in credentials {
                try await Task.sleep(for: .seconds(pause))
                try? await client.heartbeat(heartbeat, node: id, credential: credential)
            }
        }
    }

    /// One virtual agent: long-poll, then report each module after the latency.
    func agent(_ id: String, _ credential: String) async throws {
        var etag: String?
        var backoff = Backoff()
        while true {
            do {
                switch try await client.desiredState(node: id, credential: credential, etag: etag, waitSeconds: options.waitSeconds) {
                case .unchanged:
                    break
                case .changed(let newETag, let state):
                    etag = newETag
                    observe(id, newETag)
                    if !state.modules.isEmpty { try await report(id, credential, state.modules) }
                }
                backoff.reset()
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                try await Task.sleep(for: .seconds(backoff.next()))
            }
        }
    }

    func report(_ id: String, _ credential: String, _ modules: [Wire.Module]) async throws {
        let latency = Int.random(in: options.latencyMilliseconds)
        if latency > 0 { try await Task.sleep(for: .milliseconds(latency)) }
        let reports = modules.map { module in
            let rate = Self.failureRate(of: module, default: options.failureRate)
            let failed = rate > 0 && Double.random(in: 0..<1) < rate
            return Wire.StatusReport(
                deploymentId: module.deploymentId, module: module.name, version: module.version, digest: module.digest,
                state: failed ? "failed" : "running", reason: failed ? "simulated failure" : nil)
        }
        // Like the real agent's reports, retried with backoff when the orchestrator sheds load (503).
        var backoff = Backoff(base: 0.5, cap: 10)
        for _ in 0..<8 {
            do {
                try await client.report(reports, node: id, credential: credential)
                return
            } catch let failure as OrchestratorClient.Failure where failure.isRetryable {
                try await Task.sleep(for: .seconds(backoff.next()))
            }
        }
    }

    /// The config key with which a deployment asks virtual agents to fail it, for demos and drills:
    /// `"simulator.failureRate": "0.6"` makes 60 % of them report that module `failed`. Real agents ignore it.
    public static let failureRateConfigKey = "simulator.failureRate"

    /// The module's own failure rate when its config sets ``failureRateConfigKey`` to a number in 0…1, else `rate`.
    static func failureRate(of module: Wire.Module, default rate: Double) -> Double {
        guard let text = module.config?[failureRateConfigKey], let value = Double(text), (0...1).contains(value) else { return rate }
        return value
    }

    /// Counts holders per ETag; announces when all agents hold a new one.
    func observe(_ id: String, _ etag: String) {
        let announce = tracker.withLockedValue { tracker -> Bool in
            if let old = tracker.etags[id] { tracker.holders[old, default: 1] -= 1 }
            tracker.etags[id] = etag
            tracker.holders[etag, default: 0] += 1
            // A rollback returns agents to an earlier ETag: announce every change of the common state.
            guard tracker.holders[etag] == options.count, tracker.lastAnnounced != etag else { return false }
            tracker.lastAnnounced = etag
            return true
        }
        if announce {
            output(#"{"event":"converged","etag":\#(String(reflecting: etag)),"nodes":\#(options.count),"at":\#(Date().timeIntervalSince1970)}"#)
        }
    }
}
