@_spi(Fuzzing) import WasmKit
import WASI
import WasmKitWASI
import WasmParser

/// Loads a module with WasmKit and runs its entrypoint once, within limits:
/// linear memory capped at `resources.memory`, execution bounded by fuel
/// (≈ instructions). WASI preview 1 imports are provided (no preopened
/// directories; stdout and stderr are the agent's).
public struct ModuleRunner: Sendable {
    public let fuelBudget: UInt64

    public init(fuelBudget: UInt64) {
        self.fuelBudget = fuelBudget
    }

    /// Why a run failed, in words for the status report.
    public struct RunFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Instantiates and calls `entrypoint` (a WASI command's `_start`, or any
    /// exported function, given zero arguments). Throws ``RunFailure``.
    public func run(_ bytes: [UInt8], entrypoint: String, memoryLimitBytes: Int, env: [String: String]) throws(RunFailure) {
        do {
            let module = try parseWasm(bytes: bytes)
            let engine = Engine(configuration: EngineConfiguration(fuelMetering: true))
            let store = Store(engine: engine)
            store.resourceLimiter = MemoryCap(bytes: memoryLimitBytes)
            store.fuel = Fuel(remaining: fuelBudget)
            var imports = Imports()
            let wasi = try WASIBridgeToHost(args: [entrypoint], environment: env)
            defer { try? wasi.close() }
            wasi.link(to: &imports, store: store)
            let instance = try module.instantiate(store: store, imports: imports)
            guard let function = instance.exports[function: entrypoint] else {
                throw RunFailure(description: "the module exports no function '\(entrypoint)'")
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
        } catch {
            throw RunFailure(description: "\(error)".prefix(900).description)
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
