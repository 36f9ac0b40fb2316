import Foundation

/// Custom sections (debug info, names, producers) never affect validity, but
/// WasmKit reads each into memory. When a core module's custom sections add
/// up to more than ``threshold`` bytes, validation runs on a copy without
/// them, written next to the original in 1 MiB chunks. This keeps memory
/// and time for debug-heavy modules close to those of the code itself.
enum CustomSectionStripper {
    static let threshold = 1 << 20
    static let chunk = 1 << 20

    /// The path to validate: a stripped copy (which the caller removes), or `nil` to use the original.
    static func strippedCopyIfLarge(_ path: String) throws(InspectionFailure) -> String? {
        guard let plan = try? plan(path), plan.customBytes > threshold else { return nil }
        let copy = path + ".stripped"
        do {
            try write(path, to: copy, keeping: plan.kept)
        } catch {
            try? FileManager.default.removeItem(atPath: copy)
            throw InspectionFailure(.malformed, "the upload could not be prepared for validation: \(error)")
        }
        return copy
    }

    struct Plan {
        /// Non-custom sections as (offset of the id byte, total length including id and size).
        var kept: [(offset: Int, length: Int)] = []
        var customBytes = 0
    }

    /// Walks the section framing; a framing error returns `nil` so the full parser reports it.
    static func plan(_ path: String) throws -> Plan? {
        let reader = try SectionReader(path: path)
        defer { reader.close() }
        guard reader.read(count: 8).count == 8 else { return nil }
        var plan = Plan()
        while let id = reader.readByte() {
            let start = reader.offset - 1
            guard let size = reader.readLEB128U32(), reader.remaining >= Int(size) else { return nil }
            reader.skip(Int(size))
            let length = reader.offset - start
            if id == 0 { plan.customBytes += length } else { plan.kept.append((start, length)) }
        }
        return plan
    }

    static func write(_ path: String, to copy: String, keeping sections: [(offset: Int, length: Int)]) throws {
        guard let input = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: copy, contents: nil, attributes: [.posixPermissions: 0o600]),
              let output = FileHandle(forWritingAtPath: copy)
        else { throw CocoaError(.fileWriteUnknown) }
        defer { try? output.close() }
        try output.write(contentsOf: try input.read(upToCount: 8) ?? Data())
        for section in sections {
            try input.seek(toOffset: UInt64(section.offset))
            var remaining = section.length
            while remaining > 0 {
                let data = try input.read(upToCount: min(chunk, remaining)) ?? Data()
                guard !data.isEmpty else { throw CocoaError(.fileReadCorruptFile) }
                try output.write(contentsOf: data)
                remaining -= data.count
            }
        }
    }
}
