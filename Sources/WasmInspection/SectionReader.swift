import Foundation

/// Sequential reads from a file, for walking section framing without
/// loading the whole binary.
final class SectionReader {
    private let handle: FileHandle
    private let size: Int
    private(set) var offset = 0

    init(path: String) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        self.handle = handle
    }

    var remaining: Int { size - offset }

    func read(count: Int) -> [UInt8] {
        let data = (try? handle.read(upToCount: count)) ?? nil
        let bytes = data.map { [UInt8]($0) } ?? []
        offset += bytes.count
        return bytes
    }

    func readByte() -> UInt8? {
        read(count: 1).first
    }

    func skip(_ count: Int) {
        offset += count
        try? handle.seek(toOffset: UInt64(offset))
    }

    /// An unsigned LEB128 of at most 5 bytes that fits in 32 bits.
    func readLEB128U32() -> UInt32? {
        var result: UInt64 = 0
        for index in 0..<5 {
            guard let byte = readByte() else { return nil }
            result |= UInt64(byte & 0x7F) << (7 * UInt64(index))
            if byte & 0x80 == 0 { return result <= UInt64(UInt32.max) ? UInt32(result) : nil }
        }
        return nil
    }

    func close() {
        try? handle.close()
    }
}
