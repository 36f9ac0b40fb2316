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
/// (so nothing runs) and a resource limiter that caps memory. Every
/// function body is type-checked; nothing is executed.
///
/// Components are checked structurally (header, section framing) and each
/// embedded core module is validated as above; their own imports and
/// exports are not broken down (see docs/modules.md).
///
/// All calls are synchronous and CPU-bound: run them on a thread pool,
/// never on an event loop.
public enum WasmInspector {
    /// Largest memory (bytes) a module may ask for at instantiation: 4 GiB, the wasm32 maximum.
    public static let maxInitialMemoryBytes = 1 << 32

    public static func inspect(filePath: String) throws(InspectionFailure) -> ModuleInterface {
        let reader: SectionReader
        do {
            reader = try SectionReader(path: filePath)
        } catch {
            throw InspectionFailure(.malformed, "the upload could not be read: \(error)")
        }
        defer { reader.close() }
        let header = reader.read(count: 8)
        if header.isEmpty { throw InspectionFailure(.empty, "the upload is empty (0 bytes)") }
        let kind: WasmBinaryKind
        do {
            kind = try WasmBinaryHeader.classify(header)
        } catch {
            throw InspectionFailure(.header, error.description)
        }
        switch kind {
        case .module:
            guard let stripped = try CustomSectionStripper.strippedCopyIfLarge(filePath) else {
                return try CoreModuleInspector.inspect(source: .file(filePath))
            }
            defer { try? FileManager.default.removeItem(atPath: stripped) }
            return try CoreModuleInspector.inspect(source: .file(stripped))
        case .component:
            return try ComponentInspector.inspect(reader: reader)
        }
    }
}
