import ArgumentParser
import AsyncHTTPClient
import EdgeAgent
import Foundation
import Logging

/// `wasm-edge-agent`: the reference edge agent, or with `--simulate N` a fleet of virtual agents.
public struct AgentCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "wasm-edge-agent",
        abstract: "Runs WebAssembly modules that the Wasm Orchestrator ships to this node.",
        discussion: """
            Configuration comes from --config (seed 004's edge-node-config.json), then environment variables
            (WASM_AGENT_ORCHESTRATOR_URL, WASM_AGENT_ENROLLMENT_TOKEN, WASM_AGENT_STATE_DIR, WASM_AGENT_INSECURE,
            WASM_AGENT_ENTRYPOINT_TIMEOUT_SECONDS), then flags.
            The orchestrator URL must be https unless --insecure is given: the node credential is sent only to the
            orchestrator's own origin (scheme, host, port), never to a presigned or redirect URL of another origin.
            """)

    @Option(help: "Path to edge-node-config.json.") var config: String?
    @Option(help: "Node id (overrides NodeId).") var nodeId: String?
    @Option(help: "Orchestrator base URL (overrides OrchestratorApiUrl).") var orchestratorUrl: String?
    @Option(help: "Enrollment token, used once when no credential is stored.") var enrollmentToken: String?
    @Option(help: "Directory for the credential and the module cache.") var stateDir: String?
    @Option(help: "Region (overrides Region).") var region: String?
    @Option(help: "Zone (overrides Zone).") var zone: String?
    @Flag(help: "Allow a plain-http orchestrator URL (and plain-http download URLs); the credential travels unencrypted.")
    var insecure = false
    @Option(help: "Wall-clock limit of one entrypoint run, in seconds (0.1-3600; default 30).") var entrypointTimeoutSeconds: Double?
    @Option(help: "After SIGTERM/SIGINT, exit after at most this many seconds even if a module run cannot be interrupted (0.1-300).")
    var stopGraceSeconds: Double = 5
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"
    @Option(help: "Simulate this many virtual agents instead of running modules.") var simulate: Int?
    @Option(help: "Simulation: probability (0–1) that a virtual agent reports a module failed.") var failureRate: Double = 0
    @Option(help: "Simulation: report latency in milliseconds, e.g. 50 or 20-200.") var latencyMs: String = "0"
    @Option(help: "Simulation: heartbeat interval in seconds.") var heartbeatSeconds: Double = 30
    @Option(help: "Simulation: node id prefix.") var prefix: String = "sim"

    public init() {}

    public func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "wasm-edge-agent")
        let environment = ProcessInfo.processInfo.environment
        if let count = simulate {
            try await runSimulation(count: count, environment: environment, logger: logger)
            return
        }
        var configuration: AgentConfiguration
        if let config {
            configuration = try AgentConfiguration.load(path: config)
        } else {
            guard let nodeId, let url = orchestratorUrl ?? environment["WASM_AGENT_ORCHESTRATOR_URL"] else {
                throw ValidationError("give --config, or --node-id and --orchestrator-url")
            }
            configuration = AgentConfiguration(nodeId: nodeId, region: region ?? "default", zone: zone ?? "default-1", orchestratorApiUrl: url)
        }
        if let value = environment["WASM_AGENT_ORCHESTRATOR_URL"] { configuration.orchestratorApiUrl = value }
        if let value = environment["WASM_AGENT_ENROLLMENT_TOKEN"] { configuration.enrollmentToken = value }
        if let value = environment["WASM_AGENT_STATE_DIR"] { configuration.stateDirectory = value }
        if let value = environment["WASM_AGENT_INSECURE"] {
            guard let enabled = Self.boolean(value) else { throw ValidationError("WASM_AGENT_INSECURE is 1/true/yes or 0/false/no") }
            configuration.insecure = enabled
        }
        if let value = environment["WASM_AGENT_ENTRYPOINT_TIMEOUT_SECONDS"] {
            guard let seconds = AgentSeconds.interval(value) else {
                throw ValidationError("WASM_AGENT_ENTRYPOINT_TIMEOUT_SECONDS is seconds, e.g. 30")
            }
            configuration.entrypointTimeoutSeconds = seconds
        }
        if insecure { configuration.insecure = true }
        if let entrypointTimeoutSeconds { configuration.entrypointTimeoutSeconds = entrypointTimeoutSeconds }
        if let nodeId { configuration.nodeId = nodeId }
        if let orchestratorUrl { configuration.orchestratorApiUrl = orchestratorUrl }
        if let enrollmentToken { configuration.enrollmentToken = enrollmentToken }
        if let stateDir { configuration.stateDirectory = stateDir }
        if let region { configuration.region = region }
        if let zone { configuration.zone = zone }

        // Redirects are followed by the client code itself: a presigned URL must not receive the credential.
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.redirectConfiguration = .disallow
        if let problem = configuration.problem { throw ValidationError(problem) }
        guard stopGraceSeconds.isFinite, (0.1...300).contains(stopGraceSeconds) else { throw ValidationError("--stop-grace-seconds is 0.1-300") }
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        let agent: EdgeAgent
        do {
            agent = try EdgeAgent(configuration: configuration, http: http, logger: logger)
        } catch {
            try? await http.shutdown()
            throw ValidationError(error.description)
        }
        let grace = stopGraceSeconds
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await agent.run()
                } catch is CancellationError {
                    logger.info("agent stopped")
                } catch {
                    logger.critical("agent stopped", metadata: ["error": "\(error)"])
                }
            }
            group.addTask {
                await Signals.wait()
                // A module's thread cannot always be interrupted: the process ends within the grace period regardless.
                StopWatchdog.arm(seconds: grace, logger: logger)
            }
            await group.next()
            group.cancelAll()
        }
        try await http.shutdown()
    }

    /// `1`, `true`, `yes` (any case) or `0`, `false`, `no`.
    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes": true
        case "0", "false", "no", "": false
        default: nil
        }
    }

    func runSimulation(count: Int, environment: [String: String], logger: Logger) async throws {
        guard count > 0, count <= 100_000 else { throw ValidationError("--simulate takes 1 to 100000") }
        guard heartbeatSeconds.isFinite, (0.1...3600).contains(heartbeatSeconds) else { throw ValidationError("--heartbeat-seconds is 0.1-3600") }
        guard let url = orchestratorUrl ?? environment["WASM_AGENT_ORCHESTRATOR_URL"],
            let token = enrollmentToken ?? environment["WASM_AGENT_ENROLLMENT_TOKEN"]
        else { throw ValidationError("--simulate needs --orchestrator-url and --enrollment-token (with maxUses ≥ N)") }
        let parts = latencyMs.split(separator: "-", omittingEmptySubsequences: false)
        let bounds = parts.compactMap { Int($0) }
        guard let low = bounds.first, bounds.count == parts.count, bounds.count <= 2, low >= 0, (bounds.last ?? low) >= low,
            (bounds.last ?? low) <= 600_000
        else {
            throw ValidationError("--latency-ms is N or LOW-HIGH milliseconds")
        }
        FileLimits.raise(to: count * 2 + 256)
        let http = FleetSimulator.makeHTTPClient(connections: count)
        let simulator = try FleetSimulator(
            options: .init(
                count: count, prefix: prefix, region: region ?? "sim", enrollmentToken: token, failureRate: min(1, max(0, failureRate)),
                latencyMilliseconds: low...(bounds.last ?? low), heartbeatSeconds: heartbeatSeconds),
            http: http, baseURL: url, logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do { try await simulator.run() } catch { logger.critical("simulation stopped", metadata: ["error": "\(error)"]) }
            }
            group.addTask { await Signals.wait() }
            await group.next()
            group.cancelAll()
        }
        try await http.shutdown()
    }
}

extension AgentCommand {
    /// The entry point for the thin executable (keeps ArgumentParser out of it).
    public static func runFromCommandLine() async {
        await main()
    }
}
