import Foundation
import NIOConcurrencyHelpers
import WASI
@_spi(Fuzzing) import WasmKit
import WasmKitWASI
import WasmParser

#if canImport(Glibc)
    import Glibc
#endif

/// Loads a module with WasmKit and runs its entrypoint once, within limits:
/// linear memory capped at `resources.memory`, execution bounded by fuel
/// (≈ instructions) **and** by a wall-clock deadline. WASI preview 1 imports
/// are provided (no preopened directories; stdin is `/dev/null`, stdout and
/// stderr are the agent's; `poll_oneoff` is ``DeadlinePoll``).
public struct ModuleRunner: Sendable {
    public let fuelBudget: UInt64
    /// Wall-clock limit of one run.
    public let deadlineSeconds: Double
    /// Module threads that may be alive at once, including runs the agent gave
    /// up on (a run spinning on fuel cannot be interrupted; it ends when its fuel does).
    public let maxThreads: Int

    public init(fuelBudget: UInt64, deadlineSeconds: Double = 30, maxThreads: Int = 32) {
        self.fuelBudget = fuelBudget
        self.deadlineSeconds = deadlineSeconds
        self.maxThreads = maxThreads
    }

    /// Why a run failed, in words for the status report.
    public struct RunFailure: Error, CustomStringConvertible, Equatable {
        public let description: String
        public static let deadlineExceeded = RunFailure(description: "deadline exceeded")
        public static let cancelled = RunFailure(description: "cancelled")
    }

    /// Module threads alive now (process-wide).
    static let liveThreads = NIOLockedValueBox(0)

    /// Runs the module on a thread of its own and waits — for at most the
    /// deadline, and only while the calling task is not cancelled. When either
    /// ends the wait, the run is told to stop (a sleeping module wakes and
    /// fails) and abandoned; its thread is never awaited. `nil` on success.
    public func runWithDeadline(_ bytes: [UInt8], entrypoint: String, memoryLimitBytes: Int, env: [String: String]) async -> RunFailure? {
        let admitted = Self.liveThreads.withLockedValue { live -> Bool in
            guard live < maxThreads else { return false }
            live += 1
            return true
        }
        guard admitted else {
            return RunFailure(description: "refused: \(maxThreads) module runs are still executing (some past their deadline)")
        }
        let control = RunControl(seconds: deadlineSeconds)
        let outcome = OneShot<RunFailure?>()
        let thread = Thread {
            defer { Self.liveThreads.withLockedValue { $0 -= 1 } }
            do throws(RunFailure) {
                try self.run(bytes, entrypoint: entrypoint, memoryLimitBytes: memoryLimitBytes, env: env, control: control)
                outcome.fire(nil)
            } catch {
                outcome.fire(control.mustEnd ? .deadlineExceeded : error)
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
        let timer = DispatchWorkItem { outcome.fire(.deadlineExceeded) }
        DispatchQueue.global().asyncAfter(deadline: control.deadline, execute: timer)
        let result = await withTaskCancellationHandler {
            await outcome.wait()
        } onCancel: {
            outcome.fire(.cancelled)
        }
        timer.cancel()
        control.stop()
        return result
    }

    /// Instantiates and calls `entrypoint` (a WASI command's `_start`, or any
    /// exported function, given zero arguments) on the calling thread. Throws ``RunFailure``.
    public func run(_ bytes: [UInt8], entrypoint: String, memoryLimitBytes: Int, env: [String: String], control: RunControl) throws(RunFailure) {
        let stdin = open("/dev/null", O_RDONLY)
        defer { if stdin >= 0 { close(stdin) } }
        do {
            let module = try parseWasm(bytes: bytes)
            let engine = Engine(configuration: EngineConfiguration(fuelMetering: true))
            let store = Store(engine: engine)
            store.resourceLimiter = MemoryCap(bytes: memoryLimitBytes)
            store.fuel = Fuel(remaining: fuelBudget)
            var imports = Imports()
            let wasi = try WASIBridgeToHost(args: [entrypoint], environment: env, preopens: [], stdin: stdin >= 0 ? stdin : 0)
            defer { try? wasi.close() }
            wasi.link(to: &imports, store: store)
            imports.define(module: "wasi_snapshot_preview1", name: "poll_oneoff", DeadlinePoll.function(store: store, control: control))
            let instance = try module.instantiate(store: store, imports: imports)
            guard let function = instance.exports[function: entrypoint] else {
                throw RunFailure(description: "the module exports no function '\(ReportText.sanitize(entrypoint, maxBytes: 256))'")
            }
            if entrypoint == "_start" && module.imports.contains(where: { $0.module == "wasi_snapshot_preview1" }) {
                let code = try wasi.start(instance)
                guard code == 0 else { throw RunFailure(description: "'_start' exited with code \(code)") }
                return
            }
            let arguments = function.type.parameters.map(Self.zero)
            _ = try function.invoke(arguments)
        } catch let failure as RunFailure {
            throw failure
        } catch is DeadlinePoll.DeadlineExceeded {
            throw .deadlineExceeded
        } catch {
            if control.mustEnd { throw .deadlineExceeded }
            throw RunFailure(description: ReportText.sanitize("\(error)", maxBytes: 900))
        }
    }

    static func zero(_ type: ValueType) -> Value {
        switch type {
        case .i32: .i32(0)
        case .i64: .i64(0)
        case .f32: .f32(0)
        case .f64: .f64(0)
        default: .i32(0)
        }
    }
}

/// Denies linear-memory growth beyond the deployment's memory limit.
final class MemoryCap: ResourceLimiter {
    let bytes: Int
    init(bytes: Int) { self.bytes = bytes }
    func limitMemoryGrowth(to desired: Int) throws -> Bool { desired <= bytes }
    func limitTableGrowth(to desired: Int) throws -> Bool { desired <= 1_000_000 }
}
