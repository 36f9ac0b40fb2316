import Foundation
import OrchestratorDomain
@_spi(Fuzzing) import WasmKit
import WasmParser

/// Parses and fully validates a WebAssembly binary from a file, and
/// extracts its interface.
///
/// WasmKit 0.4 validates function bodies only when it compiles them, and
/// its validator is internal, so a core module is validated the way
/// WasmKit's own fuzzer does it: instantiate it with eager compilation in a
/// throw-away store, against stub imports, with the start function dropped
/// (so nothing runs). Every function body is type-checked; nothing is
/// executed.
///
/// Instantiation allocates what a module declares, so before WasmKit sees
/// it the module's declarations are checked against ``ValidationLimits``
/// (see ``CoreModuleInspector``), and the binary is read into memory first,
/// without its custom sections (``ModuleFile``): the parser then never
/// allocates by a declared length, only by the bytes that exist. Memory use is the upload's size times a small constant
/// plus what the limits allow.
///
/// Components are checked structurally (header, section framing) and each
/// embedded core module is validated as above; their own imports and
/// exports are not broken down (see docs/modules.md).
///
/// All calls are synchronous and CPU-bound: run them on a thread pool,
/// never on an event loop or the cooperative pool.
public enum WasmInspector {
    /// Largest single memory (bytes) validation lets WasmKit allocate: 4 GiB, the wasm32 maximum.
    public static let maxInitialMemoryBytes = 1 << 32
    /// Largest file read for inspection: 2 GiB (the registry's `modules.maxBytes` is far lower).
    public static let maxFileBytes = 1 << 31

    public static func inspect(
        filePath: String, limits: ValidationLimits = .defaults, deadline: ValidationDeadline = .none
    ) throws(InspectionFailure) -> ModuleInterface {
        let bytes = try ModuleFile.load(path: filePath, deadline: deadline)
        return try inspect(bytes: bytes, limits: limits, deadline: deadline)
    }

    public static func inspect(
        bytes: [UInt8], limits: ValidationLimits = .defaults, deadline: ValidationDeadline = .none
    ) throws(InspectionFailure) -> ModuleInterface {
        if bytes.isEmpty { throw InspectionFailure(.empty, "the upload is empty (0 bytes)") }
        let kind: WasmBinaryKind
        do {
            kind = try WasmBinaryHeader.classify(Array(bytes.prefix(8)))
        } catch {
            throw InspectionFailure(.header, error.description)
        }
        switch kind {
        case .module:
            return try CoreModuleInspector.inspect(bytes, limits: limits, deadline: deadline)
        case .component:
            return try ComponentInspector.inspect(bytes, limits: limits, deadline: deadline)
        }
    }
}
