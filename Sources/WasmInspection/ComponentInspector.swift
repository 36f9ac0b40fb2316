import OrchestratorDomain

/// Component-model binaries: the section framing is checked end to end and
/// every embedded core module (section 1) is validated like a standalone
/// module, against the same limits and deadline. Component-level imports
/// and exports are not decoded.
enum ComponentInspector {
    /// Section ids of the component binary format (custom … export, value).
    static let knownSections: ClosedRange<UInt8> = 0...12
    static let coreModuleSection: UInt8 = 1

    static func inspect(_ bytes: [UInt8], limits: ValidationLimits, deadline: ValidationDeadline) throws(InspectionFailure) -> ModuleInterface {
        var reader = SectionReader(bytes, from: 8)
        var memories: [MemoryLimits] = []
        var imports: [WasmExternal] = []
        var sectionCount = 0
        while let id = reader.readByte() {
            sectionCount += 1
            guard knownSections.contains(id) else {
                throw InspectionFailure(.malformed, "unknown component section id \(id) at offset \(reader.offset - 1)")
            }
            guard let size = reader.readLEB128U32() else {
                throw InspectionFailure(.malformed, "truncated size of section \(id) at offset \(reader.offset)")
            }
            guard reader.remaining >= Int(size) else {
                throw InspectionFailure(
                    .malformed, "section \(id) at offset \(reader.offset) declares \(size) bytes but only \(reader.remaining) remain")
            }
            if id == coreModuleSection {
                let start = reader.offset
                let nested = Array(reader.read(count: Int(size)))
                guard (try? WasmBinaryHeader.classify(Array(nested.prefix(8)))) == .module else {
                    throw InspectionFailure(.malformed, "embedded core module at offset \(start) has no core module header")
                }
                let interface = try CoreModuleInspector.inspect(nested, limits: limits, deadline: deadline)
                memories += interface.memories
                imports += interface.imports.filter { WasiDetection.isWasiNamespace($0.module ?? "") }
                // The limits bound each embedded module; together they must fit the same memory budget.
                var total = DeclaredTotals()
                memories.forEach {
                    total.memories += 1
                    total.memoryBytes = DeclaredTotals.saturatingSum(total.memoryBytes, Self.bytes($0))
                }
                try total.check(against: limits)
            } else {
                reader.skip(Int(size))
            }
            try deadline.check("while reading component sections")
        }
        guard sectionCount > 0 else { throw InspectionFailure(.invalid, "the component has no sections") }
        return ModuleInterface(kind: .component, exports: [], imports: imports, memories: memories)
    }

    static func bytes(_ memory: MemoryLimits) -> UInt64 {
        let (bytes, overflow) = memory.minPages.multipliedReportingOverflow(by: DeclaredTotals.pageSize)
        return overflow ? .max : bytes
    }
}
