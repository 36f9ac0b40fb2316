import OrchestratorDomain

/// Component-model binaries: the section framing is checked end to end and
/// every embedded core module (section 1) is validated like a standalone
/// module. Component-level imports and exports are not decoded.
enum ComponentInspector {
    /// Section ids of the component binary format (custom … export, value).
    static let knownSections: ClosedRange<UInt8> = 0...12
    static let coreModuleSection: UInt8 = 1

    static func inspect(reader: SectionReader) throws(InspectionFailure) -> ModuleInterface {
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
                throw InspectionFailure(.malformed, "section \(id) at offset \(reader.offset) declares \(size) bytes but only \(reader.remaining) remain")
            }
            if id == coreModuleSection {
                let bytes = reader.read(count: Int(size))
                guard (try? WasmBinaryHeader.classify(bytes)) == .module else {
                    throw InspectionFailure(.malformed, "embedded core module at offset \(reader.offset - Int(size)) has no core module header")
                }
                let nested = try CoreModuleInspector.inspect(source: .bytes(bytes))
                memories += nested.memories
                imports += nested.imports.filter { WasiDetection.isWasiNamespace($0.module ?? "") }
            } else {
                reader.skip(Int(size))
            }
        }
        guard sectionCount > 0 else { throw InspectionFailure(.invalid, "the component has no sections") }
        return ModuleInterface(kind: .component, exports: [], imports: imports, memories: memories)
    }
}
