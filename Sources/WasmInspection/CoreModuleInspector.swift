import OrchestratorDomain
@_spi(Fuzzing) import WasmKit
import WasmParser

/// Core-module inspection, on the binary held in memory (so the parser's
/// reads are bounded by the bytes that exist, never by a declared length):
///
/// 1. ``DeclaredCountScan``: section and locals counts against the limits;
/// 2. one streaming pass with WasmParser for the interface, adding up
///    memories, tables, functions and globals (imported and defined) and
///    refusing totals above the limits as soon as a section is read;
/// 3. WasmKit validation by eager instantiation, which now only allocates
///    what the limits allow.
///
/// The deadline is checked between these steps and between sections.
enum CoreModuleInspector {
    static let features: WasmFeatureSet = .all

    static func inspect(_ bytes: [UInt8], limits: ValidationLimits, deadline: ValidationDeadline) throws(InspectionFailure) -> ModuleInterface {
        try DeclaredCountScan.check(bytes, limits: limits)
        try deadline.check("after counting declarations")
        let interface = try describe(bytes, limits: limits, deadline: deadline)
        try deadline.check("after reading the interface")
        try validate(bytes, deadline: deadline)
        return interface
    }

    /// Imports, exports and memories, read section by section, with the declared totals checked.
    static func describe(_ bytes: [UInt8], limits: ValidationLimits, deadline: ValidationDeadline) throws(InspectionFailure) -> ModuleInterface {
        var imports: [WasmExternal] = []
        var exports: [WasmExternal] = []
        var memories: [MemoryLimits] = []
        var totals = DeclaredTotals()
        var parser = WasmParser.Parser(bytes: bytes, features: features)
        while true {
            let next: ParsingPayload?
            do {
                next = try parser.parseNext()
            } catch {
                throw InspectionFailure(.malformed, describeError(error))
            }
            guard let payload = next else { break }
            switch payload {
            case .importSection(let section):
                for entry in section {
                    imports.append(WasmExternal(module: entry.module, name: entry.name, kind: kind(of: entry.descriptor)))
                    totals.add(entry.descriptor)
                    if case .memory(let limits) = entry.descriptor { memories.append(memoryLimits(limits)) }
                }
            case .exportSection(let section):
                exports = section.map { WasmExternal(name: $0.name, kind: kind(of: $0.descriptor)) }
            case .memorySection(let section):
                memories += section.map { memoryLimits($0.type) }
                section.forEach { totals.addMemory($0.type) }
            case .tableSection(let section):
                section.forEach { totals.addTable($0.type) }
            case .functionSection(let section):
                totals.functions += UInt64(section.count)
            case .globalSection(let section):
                totals.globals += UInt64(section.count)
            default:
                break
            }
            try totals.check(against: limits)
            try deadline.check("while reading sections")
        }
        return ModuleInterface(kind: .module, exports: exports, imports: imports, memories: memories)
    }

    /// Full validation: parse with WasmKit, then instantiate with eager
    /// compilation against stub imports. The start function is dropped; the
    /// limits already checked bound what instantiation allocates (memories
    /// are zero pages until written, tables 8 bytes an entry, segments no
    /// more than the bytes they come from).
    static func validate(_ bytes: [UInt8], deadline: ValidationDeadline) throws(InspectionFailure) {
        var module: Module
        do {
            module = try parseWasm(bytes: bytes, features: features)
        } catch {
            throw InspectionFailure(.malformed, describeError(error))
        }
        try deadline.check("after parsing")
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
        try deadline.check("after compiling")
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

/// A second line of defence behind ``ValidationLimits``: refuses any single
/// memory or table larger than validation should ever allocate.
final class ValidationLimiter: ResourceLimiter {
    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        desired <= WasmInspector.maxInitialMemoryBytes
    }

    func limitTableGrowth(to desired: Int) throws -> Bool {
        desired <= 10_000_000
    }
}
