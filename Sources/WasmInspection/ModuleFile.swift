import Foundation
import OrchestratorDomain

/// Reads an upload into memory for inspection. For a core module, custom
/// sections (debug info, names, producers; they never affect validity) are
/// checked for a well-formed name and left out, so memory is the size of
/// the code and data, not of the debug info, and the parser never holds
/// them. Reads go through one buffered handle: a file of many tiny
/// sections costs no syscall per section.
struct ModuleFile {
    static let chunk = 1 << 16

    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private(set) var consumed = 0

    init(path: String) throws(InspectionFailure) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InspectionFailure(.malformed, "the upload could not be read")
        }
        self.handle = handle
    }

    func close() { try? handle.close() }

    /// Up to `count` bytes, fewer only at the end of the file.
    mutating func read(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        while out.count < count, refill() {
            let taken = min(count - out.count, buffer.count - position)
            out += buffer[position..<position + taken]
            position += taken
            consumed += taken
        }
        return out
    }

    mutating func skip(_ count: Int) -> Bool {
        var left = count
        while left > 0, refill() {
            let taken = min(left, buffer.count - position)
            position += taken
            consumed += taken
            left -= taken
        }
        return left == 0
    }

    mutating func readByte() -> UInt8? { read(1).first }

    /// An unsigned LEB128 of at most 5 bytes, with the bytes it was read from.
    mutating func readLEB128U32() -> (value: UInt32, bytes: [UInt8])? {
        var reader: [UInt8] = []
        for _ in 0..<5 {
            guard let byte = readByte() else { return nil }
            reader.append(byte)
            if byte & 0x80 == 0 { break }
        }
        var section = SectionReader(reader)
        guard let value = section.readLEB128U32() else { return nil }
        return (value, reader)
    }

    private mutating func refill() -> Bool {
        if position < buffer.count { return true }
        guard let data = try? handle.read(upToCount: Self.chunk), !data.isEmpty else { return false }
        buffer = [UInt8](data)
        position = 0
        return true
    }

    /// The whole file, or for a core module the file without its custom
    /// sections. A framing error stops the copy where it is: the parser
    /// then reports the truncation.
    static func load(path: String, deadline: ValidationDeadline) throws(InspectionFailure) -> [UInt8] {
        var file = try ModuleFile(path: path)
        defer { file.close() }
        var bytes = file.read(8)
        guard (try? WasmBinaryHeader.classify(bytes)) == .module else {
            // Not a core module (or too short to be one): a component keeps every section.
            while true {
                let next = file.read(chunk)
                if next.isEmpty { return bytes }
                guard bytes.count + next.count <= WasmInspector.maxFileBytes else {
                    throw InspectionFailure(.limits, "the upload has more than \(WasmInspector.maxFileBytes) bytes")
                }
                bytes += next
            }
        }
        var sections = 0
        while let id = file.readByte() {
            guard let leb = file.readLEB128U32() else { return bytes + [id] }
            let (size, encoded) = leb
            if id == 0 {
                try checkCustomSection(&file, size: Int(size), at: file.consumed)
            } else {
                let payload = file.read(Int(size))
                bytes += [id] + encoded + payload
                guard payload.count == Int(size) else { return bytes }
            }
            sections += 1
            if sections % 1024 == 0 { try deadline.check("while reading the upload") }
        }
        return bytes
    }

    /// A custom section's name must be well-formed UTF-8 that fits in the section, as the parser would check.
    static func checkCustomSection(_ file: inout ModuleFile, size: Int, at offset: Int) throws(InspectionFailure) {
        let start = file.consumed
        guard let length = file.readLEB128U32()?.value, Int(length) <= size - (file.consumed - start) else {
            throw InspectionFailure(.malformed, "custom section at offset \(offset) has a name longer than the section")
        }
        let name = file.read(Int(length))
        guard name.count == Int(length), String(validating: name, as: UTF8.self) != nil else {
            throw InspectionFailure(.malformed, "custom section at offset \(offset) has a truncated or non-UTF-8 name")
        }
        guard file.skip(size - (file.consumed - start)) else {
            throw InspectionFailure(.malformed, "custom section at offset \(offset) declares \(size) bytes but the file ends first")
        }
    }
}
