/// Sequential reads over a binary held in memory, for walking section
/// framing. Every read is bounds-checked against the bytes that are
/// actually there, so a declared size or count never drives an
/// allocation: a read past the end returns fewer bytes or `nil`.
struct SectionReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.end = min(end ?? bytes.count, bytes.count)
        self.offset = min(max(0, start), self.end)
    }

    var remaining: Int { end - offset }

    mutating func read(count: Int) -> ArraySlice<UInt8> {
        let taken = max(0, min(count, remaining))
        defer { offset += taken }
        return bytes[offset..<offset + taken]
    }

    mutating func readByte() -> UInt8? {
        guard offset < end else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Skips `count` bytes; `false` (and nothing skipped) if fewer remain.
    @discardableResult
    mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, count <= remaining else { return false }
        offset += count
        return true
    }

    /// An unsigned LEB128 of at most 5 bytes that fits in 32 bits.
    mutating func readLEB128U32() -> UInt32? {
        var result: UInt64 = 0
        for index in 0..<5 {
            guard let byte = readByte() else { return nil }
            result |= UInt64(byte & 0x7F) << (7 * UInt64(index))
            if byte & 0x80 == 0 { return result <= UInt64(UInt32.max) ? UInt32(result) : nil }
        }
        return nil
    }

    /// An unsigned LEB128 of at most 10 bytes (memory64 limits).
    mutating func readLEB128U64() -> UInt64? {
        var result: UInt64 = 0
        for index in 0..<10 {
            guard let byte = readByte() else { return nil }
            let bits = UInt64(byte & 0x7F)
            if index == 9 && bits > 1 { return nil }
            result |= bits << (7 * UInt64(index))
            if byte & 0x80 == 0 { return result }
        }
        return nil
    }

    /// Skips a signed LEB128 of at most `maxBytes` bytes (a heap type is an s33: 5 bytes).
    mutating func skipLEB128(maxBytes: Int) -> Bool {
        for _ in 0..<maxBytes {
            guard let byte = readByte() else { return false }
            if byte & 0x80 == 0 { return true }
        }
        return false
    }
}
