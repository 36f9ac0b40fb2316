import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// The reference edge agent: enrolls, heartbeats, long-polls its desired
/// state and converges on it — download (or cache), verify the SHA-256
/// *before* use, run with WasmKit, report per-module status. It rides out
/// an absent orchestrator, network errors and 5xx with capped exponential
/// backoff and jitter.
public actor EdgeAgent {
    public static let version = "0.5.0"

    let configuration: AgentConfiguration
    let client: OrchestratorClient
    let credentials: CredentialFile
    let cache: ModuleCache
    let runner: ModuleRunner
    let metrics = HostMetrics()
    let logger: Logger
    /// Upper bound for a module download.
    let maxModuleBytes = 64 * 1_048_576

    /// What runs now, by module name.
    struct Running: Sendable {
        var module: Wire.Module
        var state: String
        var reason: String?
    }

    var running: [String: Running] = [:]
    var credential: String?
    var heartbeatSeconds: Double

    public init(configuration: AgentConfiguration, http: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.client = OrchestratorClient(baseURL: configuration.orchestratorApiUrl, http: http)
        self.credentials = CredentialFile(stateDirectory: configuration.stateDirectory)
        self.cache = ModuleCache(stateDirectory: configuration.stateDirectory, keep: configuration.keepVersions)
        self.runner = ModuleRunner(fuelBudget: configuration.fuelBudget)
        self.heartbeatSeconds = configuration.heartbeatSeconds
        var logger = logger
        logger[metadataKey: "node"] = .string(configuration.nodeId)
        self.logger = logger
    }

    /// Runs until the task is cancelled.
    public func run() async throws {
        try await ensureRegistered()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.heartbeatLoop() }
            group.addTask { try await self.pollLoop() }
            try await group.next()
            group.cancelAll()
        }
    }

    // MARK: Registration

    func registration() -> Wire.Registration {
        Wire.Registration(
            nodeId: configuration.nodeId, region: configuration.region, zone: configuration.zone, labels: configuration.labels,
            runtime: configuration.runtime, runtimeVersion: configuration.runtimeVersion,
            capabilities: .init(componentModel: false, wasiPreviews: ["preview1"]), maxModules: configuration.maxModules,
            hardware: .init(
                cpuCores: configuration.hardware.cpuCores, totalMemoryMB: configuration.hardware.totalMemoryMB,
                architecture: configuration.hardware.architecture))
    }

    /// Uses the stored credential (re-registering with it), or enrolls with the token and stores the new one.
    func ensureRegistered() async throws {
        var backoff = Backoff()
        while true {
            try Task.checkCancellation()
            do {
                if let stored = credentials.read() {
                    let answer = try await client.register(registration(), token: stored)
                    credential = stored
                    adopt(answer)
                    logger.info("re-registered with the stored credential")
                    return
                }
                guard let token = configuration.enrollmentToken else {
                    throw AgentError("no stored credential and no enrollment token; set EnrollmentToken or --enrollment-token")
                }
                let answer = try await client.register(registration(), token: token)
                guard let issued = answer.credential else { throw AgentError("the orchestrator returned no credential") }
                try credentials.write(issued)
                credential = issued
                adopt(answer)
                logger.info("enrolled; credential stored", metadata: ["path": "\(credentials.path)"])
                return
            } catch let failure as OrchestratorClient.Failure where failure.isRetryable {
                let delay = backoff.next()
                logger.warning("registration failed; retrying", metadata: ["error": "\(failure)", "retryInSeconds": "\(delay)"])
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }

    private func adopt(_ answer: Wire.Registered) {
        if let seconds = answer.heartbeatIntervalSeconds, seconds > 0 { heartbeatSeconds = Double(seconds) }
    }

    // MARK: Heartbeats

    func heartbeatLoop() async throws {
        var backoff = Backoff(base: 1, cap: 30)
        while true {
            do {
                try await client.heartbeat(heartbeatPayload(), node: configuration.nodeId, credential: credential ?? "")
                backoff.reset()
                try await Task.sleep(for: .seconds(heartbeatSeconds))
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let delay = min(heartbeatSeconds, backoff.next())
                logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }

    func heartbeatPayload() -> Wire.Heartbeat {
        let inventory = running.values.sorted { $0.module.name < $1.module.name }.map {
            Wire.InventoryItem(module: $0.module.name, version: $0.module.version, digest: $0.module.digest, state: $0.state)
        }
        return Wire.Heartbeat(
            cpuUsagePercent: metrics.cpuPercent(), memoryUsageMB: metrics.memoryUsedMB(),
            modulesLoaded: running.values.filter { $0.state == "running" }.count, agentVersion: Self.version, inventory: inventory, conditions: [])
    }

    // MARK: Desired state

    func pollLoop() async throws {
        var etag: String?
        var backoff = Backoff()
        while true {
            do {
                let asked = ContinuousClock.now
                switch try await client.desiredState(node: configuration.nodeId, credential: credential ?? "", etag: etag, waitSeconds: 55) {
                case .unchanged(let pollAfter):
                    // A 304 that was not held (the server does not long-poll now): wait as told (already jittered).
                    if ContinuousClock.now - asked < .seconds(1) { try await Task.sleep(for: .seconds(pollAfter ?? 30)) }
                case .changed(let newETag, let state):
                    logger.info("desired state changed", metadata: ["etag": "\(newETag)", "modules": "\(state.modules.count)"])
                    // A transient failure (network, 5xx) keeps the old ETag, so the next poll retries the change.
                    guard await converge(on: state.modules) else { throw AgentError("a module could not be fetched; retrying") }
                    etag = newETag
                }
                backoff.reset()
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let delay = backoff.next()
                logger.warning("desired-state poll failed; backing off", metadata: ["error": "\(error)", "retryInSeconds": "\(delay)"])
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }

    /// Brings the running set to `modules`: removed ones stop, new or changed ones are fetched, verified and run.
    /// `false` when a download failed transiently (to be retried); terminal failures are reported and count as done.
    @discardableResult
    func converge(on modules: [Wire.Module]) async -> Bool {
        let wanted = Dictionary(modules.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in running.keys where wanted[name] == nil {
            logger.info("module removed", metadata: ["module": "\(name)"])
            running[name] = nil
        }
        // A module that failed is retried only when its desired entry changes (a new deployment or a rollback).
        var complete = true
        for module in modules where running[module.name]?.module != module {
            if await !start(module) { complete = false }
        }
        return complete
    }

    /// `false` only for a transient download failure.
    func start(_ module: Wire.Module) async -> Bool {
        let credential = self.credential ?? ""
        var bytes = cache.load(module: module.name, digest: module.digest)
        if bytes == nil {
            await report(module, "downloading")
            do {
                let buffer = try await client.download(module.downloadUrl, credential: credential, maxBytes: maxModuleBytes)
                let downloaded = [UInt8](buffer: buffer)
                await report(module, "verifying")
                guard "sha256:" + ModuleCache.sha256(downloaded) == module.digest.lowercased() else {
                    fail(module, "digest mismatch: the downloaded bytes are not \(module.digest); refusing to run them")
                    await report(module, "failed", reason: running[module.name]?.reason)
                    return true
                }
                try? cache.store(module: module.name, digest: module.digest, bytes: downloaded)
                bytes = downloaded
            } catch let failure as OrchestratorClient.Failure where failure.isRetryable {
                logger.warning("download failed; will retry", metadata: ["module": "\(module.name)", "error": "\(failure)"])
                return false
            } catch {
                fail(module, "download failed: \(error)")
                await report(module, "failed", reason: running[module.name]?.reason)
                return true
            }
        } else {
            logger.info("module found in the local cache; no download", metadata: ["module": "\(module.name)", "digest": "\(module.digest)"])
        }
        await report(module, "starting")
        // WebAssembly runs on a thread of its own: neither this actor (heartbeats, polls) nor the
        // cooperative pool waits for it.
        let runner = self.runner
        let code = bytes ?? []
        let limit = Self.memoryBytes(module.resources.memory)
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<ModuleRunner.RunFailure?, Never>) in
            Thread {
                do throws(ModuleRunner.RunFailure) {
                    try runner.run(code, entrypoint: module.entrypoint, memoryLimitBytes: limit, env: module.env ?? [:])
                    continuation.resume(returning: nil)
                } catch {
                    continuation.resume(returning: error)
                }
            }.start()
        }
        if let outcome {
            fail(module, outcome.description)
            await report(module, "failed", reason: outcome.description)
        } else {
            running[module.name] = Running(module: module, state: "running", reason: nil)
            logger.info("module running", metadata: ["module": "\(module.name)", "version": "\(module.version)"])
            await report(module, "running")
        }
        return true
    }

    private func fail(_ module: Wire.Module, _ reason: String) {
        running[module.name] = Running(module: module, state: "failed", reason: reason)
        logger.error("module failed", metadata: ["module": "\(module.name)", "reason": "\(reason)"])
    }

    func report(_ module: Wire.Module, _ state: String, reason: String? = nil) async {
        let report = Wire.StatusReport(
            deploymentId: module.deploymentId, module: module.name, version: module.version, digest: module.digest, state: state,
            reason: reason.map { String($0.prefix(1000)) })
        var backoff = Backoff(base: 0.5, cap: 10)
        for attempt in 1...5 {
            do {
                try await client.report([report], node: configuration.nodeId, credential: credential ?? "")
                return
            } catch let failure as OrchestratorClient.Failure where failure.isRetryable && attempt < 5 {
                try? await Task.sleep(for: .seconds(backoff.next()))
            } catch {
                logger.warning("status report failed (the heartbeat's inventory still shows the state)", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    /// `128Mi` → bytes; unreadable limits default to 128 MiB.
    static func memoryBytes(_ text: String) -> Int {
        (Int(text.dropLast(2)) ?? 128) * 1_048_576
    }
}

public struct AgentError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
