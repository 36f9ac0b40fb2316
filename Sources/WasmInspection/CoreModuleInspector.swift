import OrchestratorDomain
@_spi(Fuzzing) import WasmKit
import WasmParser

/// Core-module inspection: one streaming pass with WasmParser for the
/// interface, then WasmKit validation by eager instantiation.
enum CoreModuleInspector {
    enum Source {
        case file(String)
        case bytes([UInt8])
    }

    static let features: WasmFeatureSet = .all

    static func inspect(source: Source) throws(InspectionFailure) -> ModuleInterface {
        let interface = try describe(source)
        try validate(source)
        return interface
    }

    /// Imports, exports and memories, read section by section.
    static func describe(_ source: Source) throws(InspectionFailure) -> ModuleInterface {
        var imports: [WasmExternal] = []
        var exports: [WasmExternal] = []
        var memories: [MemoryLimits] = []
        do {
            func collect<S: ByteStreamSource>(_ parser: consuming WasmParser.Parser<S>) throws {
                while let payload = try parser.parseNext() {
                    switch payload {
                    case .importSection(let section):
                        for entry in section {
                            imports.append(WasmExternal(module: entry.module, name: entry.name, kind: kind(of: entry.descriptor)))
                            if case .memory(let limits) = entry.descriptor { memories.append(memoryLimits(limits)) }
                        }
                    case .exportSection(let section):
                        exports = section.map { WasmExternal(name: $0.name, kind: kind(of: $0.descriptor)) }
                    case .memorySection(let section):
                        memories += section.map { memoryLimits($0.type) }
                    default:
                        continue
                    }
                }
            }
            switch source {
            case .file(let path): try collect(try WasmParser.Parser(filePath: path, features: features))
            case .bytes(let bytes): try collect(WasmParser.Parser(bytes: bytes, features: features))
            }
        } catch {
            throw InspectionFailure(.malformed, describeError(error))
        }
        return ModuleInterface(kind: .module, exports: exports, imports: imports, memories: memories)
    }

    /// Full validation: parse with WasmKit, then instantiate with eager
    /// compilation against stub imports. The start function is dropped and
    /// the limiter refuses memory beyond ``WasmInspector/maxInitialMemoryBytes``.
    static func validate(_ source: Source) throws(InspectionFailure) {
        var module: Module
        do {
            switch source {
            case .file(let path): module = try parseWasm(filePath: path, features: features)
            case .bytes(let bytes): module = try parseWasm(bytes: bytes, features: features)
            }
        } catch {
            throw InspectionFailure(.malformed, describeError(error))
        }
        module.dropStartFunction()
        let engine = Engine(configuration: EngineConfiguration(compilationMode: .eager))
        let store = Store(engine: engine)
        store.resourceLimiter = ValidationLimiter()
        do {
            let imports = try StubImports.make(for: module, store: store)
            _ = try module.instantiate(store: store, imports: imports)
        } catch let failure as InspectionFailure {
            throw failure
        } catch {
            let text = describeError(error)
            let reason: InspectionFailure.Reason = text.contains("exceeds") && text.contains("size") ? .limits : .invalid
            throw InspectionFailure(reason, text)
        }
    }

    static func kind(of descriptor: ImportDescriptor) -> WasmExternal.Kind {
        switch descriptor {
        case .function: .function
        case .table: .table
        case .memory: .memory
        case .global: .global
        case .tag: .tag
        }
    }

    static func kind(of descriptor: ExportDescriptor) -> WasmExternal.Kind {
        switch descriptor {
        case .function: .function
        case .table: .table
        case .memory: .memory
        case .global: .global
        case .tag: .tag
        }
    }

    static func memoryLimits(_ limits: Limits) -> MemoryLimits {
        MemoryLimits(minPages: limits.min, maxPages: limits.max, shared: limits.shared, memory64: limits.isMemory64)
    }

    /// The library's own words, trimmed to one bounded line.
    static func describeError(_ error: any Error) -> String {
        let text = String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.count > 500 ? String(text.prefix(500)) + "…" : text
    }
}

/// Refuses memories or tables larger than validation needs to allocate.
final class ValidationLimiter: ResourceLimiter {
    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        desired <= WasmInspector.maxInitialMemoryBytes
    }

    func limitTableGrowth(to desired: Int) throws -> Bool {
        desired <= 10_000_000
    }
}
