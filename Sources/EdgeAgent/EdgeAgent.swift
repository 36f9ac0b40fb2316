import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// The reference edge agent: enrolls, heartbeats, long-polls its desired
/// state and converges on it — download (or cache), verify the SHA-256
/// *before* use, run with WasmKit, report per-module status. It rides out
/// an absent orchestrator, network errors and 5xx with capped exponential
/// backoff and jitter.
///
/// Nothing the orchestrator sends is trusted further than needed (issue 11,
/// item 8): every desired-state entry is checked (``ServerInput``) before it
/// touches the file system; the credential goes only to the orchestrator's
/// origin (``RequestPolicy``); each entrypoint runs on a thread of its own
/// with a wall-clock deadline, and the poll loop never waits for a run, so a
/// later desired state (a new deployment, a rollback) always arrives.
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

    /// A run in progress, by module name; `generation` tells a superseded run from the current one.
    struct RunHandle {
        var generation: Int
        var task: Task<Void, Never>
    }

    var running: [String: Running] = [:]
    var runs: [String: RunHandle] = [:]
    var generation = 0
    var credential: String?
    var heartbeatSeconds: Double

    /// Refuses a configuration that fails ``AgentConfiguration/problem`` (for
    /// example a plain `http` orchestrator URL without `insecure`).
    public init(configuration: AgentConfiguration, http: HTTPClient, logger: Logger) throws(AgentError) {
        if let problem = configuration.problem { throw AgentError(problem) }
        self.configuration = configuration
        do {
            self.client = try OrchestratorClient(baseURL: configuration.orchestratorApiUrl, http: http, insecure: configuration.insecure)
        } catch {
            throw AgentError(error.description)
        }
        self.credentials = CredentialFile(stateDirectory: configuration.stateDirectory)
        self.cache = ModuleCache(stateDirectory: configuration.stateDirectory, keep: configuration.keepVersions)
        self.runner = ModuleRunner(fuelBudget: configuration.fuelBudget, deadlineSeconds: configuration.entrypointTimeoutSeconds)
        self.heartbeatSeconds = configuration.heartbeatSeconds
        var logger = logger
        logger[metadataKey: "node"] = .string(configuration.nodeId)
        self.logger = logger
    }

    /// Runs until the task is cancelled; then stops every module run (without waiting for its thread).
    public func run() async throws {
        defer { stopAllRuns() }
        try await ensureRegistered()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.heartbeatLoop() }
            group.addTask { try await self.pollLoop() }
            try await group.next()
            group.cancelAll()
        }
    }

    private func stopAllRuns() {
        for handle in runs.values { handle.task.cancel() }
        runs = [:]
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
                // The credential becomes a file and a header value: printable ASCII only, bounded.
                guard let issued = answer.credential, ServerInput.isPrintableToken(issued, max: 1024) else {
                    throw AgentError("the orchestrator returned no usable credential (1-1024 printable ASCII characters)")
                }
                try credentials.write(issued)
                credential = issued
                adopt(answer)
                logger.info("enrolled; credential stored", metadata: ["path": "\(credentials.path)"])
                return
            } catch let failure as OrchestratorClient.Failure where failure.isRetryable {
                let delay = failure.delay(after: backoff.next())
                logger.warning("registration failed; retrying", metadata: ["error": "\(failure)", "retryInSeconds": "\(delay)"])
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }

    private func adopt(_ answer: Wire.Registered) {
        // Clamped: a server value can neither stop heartbeats (huge) nor flood (tiny).
        if let seconds = answer.heartbeatIntervalSeconds, seconds > 0 { heartbeatSeconds = Double(min(seconds, 3600)) }
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
                let delay = min(heartbeatSeconds, (error as? OrchestratorClient.Failure)?.delay(after: backoff.next()) ?? backoff.next())
                logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }

    func heartbeatPayload() -> Wire.Heartbeat {
        // Refused entries stay out of the inventory: one bad name must not get every heartbeat refused.
        let valid = running.values.filter {
            ServerInput.isModuleName($0.module.name) && ServerInput.isVersion($0.module.version) && ServerInput.sha256Hex($0.module.digest) != nil
        }
        let inventory = valid.sorted { $0.module.name < $1.module.name }.map {
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
                    // The hint is clamped to 1–300 s by the client.
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
                let delay = (error as? OrchestratorClient.Failure)?.delay(after: backoff.next()) ?? backoff.next()
                logger.warning("desired-state poll failed; backing off", metadata: ["error": "\(error)", "retryInSeconds": "\(delay)"])
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }

    /// Brings the running set to `modules`: removed ones stop, new or changed ones are checked, fetched,
    /// verified and started. Runs are not awaited: they report on their own, and the poll loop goes on.
    /// `false` when a download failed transiently (to be retried); terminal failures are reported and count as done.
    @discardableResult
    func converge(on modules: [Wire.Module]) async -> Bool {
        // One entry per name (the first), and no more than MaxModules of them.
        var seen = Set<String>()
        let unique = modules.filter { seen.insert($0.name).inserted }
        let limit = max(0, configuration.maxModules)
        let admitted = Array(unique.prefix(limit))
        let wanted = Set(admitted.map(\.name))
        for name in Array(running.keys) where !wanted.contains(name) {
            logger.info("module removed", metadata: ["module": "\(ReportText.sanitize(name, maxBytes: 80))"])
            running[name] = nil
            runs.removeValue(forKey: name)?.task.cancel()
        }
        for module in unique.dropFirst(limit) where running[module.name]?.module != module {
            fail(module, "refused: the desired state has more than MaxModules (\(limit)) modules")
            await report(module, "failed", reason: running[module.name]?.reason)
        }
        // A module that failed is retried only when its desired entry changes (a new deployment or a rollback).
        var complete = true
        for module in admitted where running[module.name]?.module != module {
            if await !start(module) { complete = false }
        }
        return complete
    }

    /// Checks, fetches (or takes from the cache), verifies and launches `module`.
    /// `false` only for a transient download failure.
    func start(_ module: Wire.Module) async -> Bool {
        if let problem = ServerInput.problem(module) {
            runs.removeValue(forKey: module.name)?.task.cancel()
            fail(module, problem)
            await report(module, "failed", reason: problem)
            return true
        }
        let credential = self.credential ?? ""
        var bytes = cache.load(module: module.name, digest: module.digest)
        if bytes == nil {
            await report(module, "downloading")
            do {
                let buffer = try await client.download(module.downloadUrl, credential: credential, maxBytes: maxModuleBytes)
                let downloaded = [UInt8](buffer: buffer)
                await report(module, "verifying")
                guard ServerInput.sha256Hex(module.digest) == ModuleCache.sha256(downloaded) else {
                    fail(module, "digest mismatch: the downloaded bytes are not \(module.digest); refusing to run them")
                    await report(module, "failed", reason: running[module.name]?.reason)
                    return true
                }
                do {
                    try cache.store(module: module.name, digest: module.digest, bytes: downloaded)
                } catch {
                    logger.warning("module not cached", metadata: ["module": "\(module.name)", "error": "\(error)"])
                }
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
        launch(module, bytes ?? [])
        return true
    }

    /// Starts the run of `module` as a task of its own (superseding an earlier run of the same name).
    func launch(_ module: Wire.Module, _ code: [UInt8]) {
        runs.removeValue(forKey: module.name)?.task.cancel()
        generation &+= 1
        let current = generation
        running[module.name] = Running(module: module, state: "starting", reason: nil)
        let task = Task { await self.execute(module, code, generation: current) }
        runs[module.name] = RunHandle(generation: current, task: task)
    }

    /// One run: WebAssembly on a thread of its own, bounded by fuel and the deadline; neither this actor
    /// (heartbeats, polls) nor the cooperative pool waits for the thread. A superseded run reports nothing.
    func execute(_ module: Wire.Module, _ code: [UInt8], generation current: Int) async {
        await report(module, "starting")
        guard case .success(let limit) = ResourceQuantity.memoryBytes(module.resources.memory) else { return }
        let outcome = await runner.runWithDeadline(code, entrypoint: module.entrypoint, memoryLimitBytes: limit, env: module.env ?? [:])
        guard runs[module.name]?.generation == current, !Task.isCancelled else { return }
        runs[module.name] = nil
        if let outcome {
            fail(module, outcome.description)
            await report(module, "failed", reason: outcome.description)
        } else {
            running[module.name] = Running(module: module, state: "running", reason: nil)
            logger.info("module running", metadata: ["module": "\(module.name)", "version": "\(module.version)"])
            await report(module, "running")
        }
    }

    private func fail(_ module: Wire.Module, _ reason: String) {
        running[module.name] = Running(module: module, state: "failed", reason: reason)
        logger.error(
            "module failed", metadata: ["module": "\(ReportText.sanitize(module.name, maxBytes: 80))", "reason": "\(ReportText.sanitize(reason))"])
    }

    func report(_ module: Wire.Module, _ state: String, reason: String? = nil) async {
        // Every field is sanitized and bounded: a refused entry's own fields may be what was wrong with it.
        let report = Wire.StatusReport(
            deploymentId: module.deploymentId.map { ReportText.sanitize($0, maxBytes: 64) }, module: ReportText.sanitize(module.name, maxBytes: 63),
            version: ReportText.sanitize(module.version, maxBytes: 128), digest: ReportText.sanitize(module.digest, maxBytes: 71), state: state,
            reason: reason.map { ReportText.sanitize($0) })
        var backoff = Backoff(base: 0.5, cap: 10)
        for attempt in 1...5 {
            do {
                try await client.report([report], node: configuration.nodeId, credential: credential ?? "")
                return
            } catch let failure as OrchestratorClient.Failure where failure.isRetryable && attempt < 5 {
                try? await Task.sleep(for: .seconds(failure.delay(after: backoff.next())))
            } catch {
                logger.warning("status report failed (the heartbeat's inventory still shows the state)", metadata: ["error": "\(error)"])
                return
            }
        }
    }

}

public struct AgentError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
