/// A first pass over a core module's section framing that reads only the
/// counts at the head of each section (and the locals of each function
/// body) and refuses a module whose counts exceed ``ValidationLimits``.
///
/// It runs before WasmParser sees the module, because WasmParser
/// materializes a whole section at once (every function's locals as an
/// array, for example): a count has to be refused before that happens.
/// Framing errors are not reported here; the scan stops and leaves them to
/// the parser, which then reads within the bytes that exist.
enum DeclaredCountScan {
    static func check(_ bytes: [UInt8], limits: ValidationLimits) throws(InspectionFailure) {
        var reader = SectionReader(bytes, from: 8)
        while let id = reader.readByte() {
            guard let size = reader.readLEB128U32(), Int(size) <= reader.remaining else { return }
            let start = reader.offset
            var section = SectionReader(bytes, from: start, to: start + Int(size))
            reader.skip(Int(size))
            if id == 10 {
                try checkCode(&section, limits: limits)
                continue
            }
            guard let counted = countedSections[id], let count = section.readLEB128U32() else { continue }
            try limits.check(counted.limit, UInt64(count), "\(count) \(counted.noun)")
        }
    }

    /// Section id → the limit its leading count is checked against.
    static let countedSections: [UInt8: (limit: ValidationLimits.Limit, noun: String)] = [
        1: (.maxTypes, "type definitions"),
        2: (.maxImports, "imports"),
        3: (.maxFunctions, "functions"),
        4: (.maxTables, "tables"),
        5: (.maxMemories, "memories"),
        6: (.maxGlobals, "globals"),
        7: (.maxExports, "exports"),
        9: (.maxElementSegments, "element segments"),
        11: (.maxDataSegments, "data segments"),
        12: (.maxDataSegments, "data segments (data count section)"),
        13: (.maxTags, "tags"),
    ]

    /// The code section: the number of bodies, and the locals all bodies declare together.
    static func checkCode(_ section: inout SectionReader, limits: ValidationLimits) throws(InspectionFailure) {
        guard let count = section.readLEB128U32() else { return }
        try limits.check(.maxFunctions, UInt64(count), "\(count) function bodies")
        var locals: UInt64 = 0
        for _ in 0..<count {
            guard let size = section.readLEB128U32(), Int(size) <= section.remaining else { return }
            var body = SectionReader(section.bytes, from: section.offset, to: section.offset + Int(size))
            section.skip(Int(size))
            guard let groups = body.readLEB128U32() else { return }
            for _ in 0..<groups {
                guard let run = body.readLEB128U32(), skipValueType(&body) else { return }
                locals += UInt64(run)  // at most 2^32 groups of 2^32 - 1: cannot overflow 64 bits before the check below trips
                try limits.check(.maxLocals, locals, "at least \(locals) locals in its function bodies")
            }
        }
    }

    /// A value type: one byte, or a reference type `0x63`/`0x64` followed by an s33 heap type.
    static func skipValueType(_ reader: inout SectionReader) -> Bool {
        guard let byte = reader.readByte() else { return false }
        return byte == 0x63 || byte == 0x64 ? reader.skipLEB128(maxBytes: 5) : true
    }
}
