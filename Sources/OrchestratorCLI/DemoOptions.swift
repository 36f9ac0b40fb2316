import ArgumentParser
import Foundation
import Hummingbird
import Logging
import OrchestratorAuth
import OrchestratorConfig
import OrchestratorDemo
import OrchestratorDomain

/// `serve --demo`: the server on the embedded default, a virtual fleet and a scripted story (see ``DemoScenario``).
///
/// Decisions: a fresh data directory in the temporary directory unless `--data-dir` names one (a demo never mixes
/// with real data); rate limits off (hundreds of virtual agents share one loopback address); log level `warning`
/// unless one is configured (the story is printed on stdout instead); refused with any external backend configured.
struct DemoOptions: ParsableArguments {
    @Flag(name: .customLong("demo"), help: "Demo: a virtual fleet and a scripted canary, rollback and approval (embedded default only).")
    var isOn = false

    @Option(name: .customLong("demo-nodes"), help: "Demo: virtual nodes, split over three regions (3…3000). Default 300.")
    var nodes = 300

    @Option(name: .customLong("demo-failure-rate"), help: "Demo: probability (0…1) that a virtual node fails any module. Default 0.01.")
    var failureRate = 0.01

    /// For tests: a shorter pause between canary steps.
    @Option(name: .customLong("demo-step-pause"), help: .hidden)
    var stepPauseSeconds = 10

    func validate() throws {
        guard (1...600).contains(stepPauseSeconds) else { throw ValidationError("--demo-step-pause must be 1…600") }
        guard (3...3000).contains(nodes) else { throw ValidationError("--demo-nodes must be 3…3000") }
        guard (0...1).contains(failureRate) else { throw ValidationError("--demo-failure-rate must be 0…1") }
    }

    /// Configuration the demo sets, as flags (the highest precedence); each only where the user set nothing.
    func configurationFlags(dataDirectoryGiven: Bool, logLevelGiven: Bool) -> [String: String] {
        var flags = ["rateLimits.enabled": "false"]
        if !dataDirectoryGiven {
            let name = "wasm-orchestrator-demo-" + UUID().uuidString.prefix(8).lowercased()
            flags["data.dir"] = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(name).path
        }
        if !logLevelGiven && ProcessInfo.processInfo.environment["LOG_LEVEL"] == nil { flags["log.level"] = "warning" }
        return flags
    }

    /// Why the demo cannot run on these settings, or `nil`.
    static func embeddedOnlyProblem(_ settings: OrchestratorSettings) -> String? {
        var external: [String] = []
        if settings.database.postgresURL != nil { external.append("database.url") }
        if settings.cache.redisURL != nil { external.append("redis.url") }
        if settings.blobs.s3 != nil { external.append("s3.*") }
        guard !external.isEmpty else { return nil }
        return "--demo runs on the embedded default only; unset \(external.joined(separator: ", "))"
    }

    /// Runs the server and the demo until SIGTERM/SIGINT. The demo's failure is reported and leaves the server running.
    func run(server: some ApplicationProtocol, settings: OrchestratorSettings, logger: Logger) async throws {
        let host = ["0.0.0.0", "::", ""].contains(settings.server.host) ? "127.0.0.1" : settings.server.host
        let address = "http://\(host):\(settings.server.port)"
        // A day, or the longest lifetime the server accepts when that is shorter.
        let lifetime = min(24 * 3600, settings.auth.settings.maxLifetimeSeconds)
        let admin = try await IssueTokenCommand.sign(settings: settings, subject: "demo-admin", role: .admin, ttlSeconds: lifetime)
        let deployer = try await IssueTokenCommand.sign(settings: settings, subject: "demo-deployer", role: .deployer, ttlSeconds: lifetime)
        Self.say(Self.banner(address: address, adminToken: admin, dataDirectory: settings.dataDirectory, nodes: nodes))
        let scenario = DemoScenario(
            options: .init(nodes: nodes, failureRate: failureRate, stepPauseSeconds: stepPauseSeconds), baseURL: address, adminToken: admin,
            deployerToken: deployer, logger: logger, say: Self.say)
        let outcome: Result<Void, any Error> = await withTaskGroup(of: Result<Void, any Error>?.self) { group in
            group.addTask {
                do {
                    try await server.runService()
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                do {
                    try await scenario.run()
                } catch  where !(error is CancellationError) {
                    Self.say("demo: stopped: \(error) (the server keeps running)")
                } catch {}
                return nil
            }
            // The server ends on SIGTERM/SIGINT; then the virtual fleet is stopped too.
            for await result in group {
                if let result {
                    group.cancelAll()
                    return result
                }
            }
            return .success(())
        }
        try outcome.get()
    }

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func banner(address: String, adminToken: String, dataDirectory: String, nodes: Int) -> String {
        """
        wasm-orchestrator demo: \(nodes) virtual nodes, a sample module in two versions, data in \(dataDirectory)
          console:      \(address)/console/   (sign in with the admin token below)
          admin token:  \(adminToken)
          CLI:          export WASM_ORCHESTRATOR_ADDR=\(address) WASM_ORCHESTRATOR_TOKEN=<the admin token>
          story:        a canary of 1.0.0 completes; a canary of 1.1.0 fails and rolls back by itself;
                        then a deployment waits for your approval. Ctrl-C stops it all.
        """
    }
}
