import WAT
import WasmParser

/// Modules a few bytes long that declare a lot: the inputs of the
/// validation-limit tests. Small ones are WAT text; the ones with many
/// thousands of entries are assembled byte by byte (same meaning, but a
/// test need not parse a megabyte of text).
extension WasmFixtures {
    /// `tables` tables of `entries` entries each, every entry initialized to
    /// `ref.func $f` (the typed function references form), so validation by
    /// instantiation would fill them all.
    public static func tableBombWAT(tables: Int, entries: Int) -> String {
        let declarations = (0..<tables).map { _ in "  (table \(entries) funcref (ref.func $f))" }
        return "(module\n  (func $f)\n  (elem declare func $f)\n" + declarations.joined(separator: "\n") + ")"
    }

    public static func tableBomb(tables: Int = 10, entries: Int = 10_000_000) -> [UInt8] {
        try! wat2wasm(tableBombWAT(tables: tables, entries: entries), features: .all)
    }

    /// `count` memories (multi-memory) of `pages` pages each.
    public static func memories(_ count: Int, pages: Int) -> [UInt8] {
        let declarations = (0..<count).map { _ in "(memory \(pages))" }
        return try! wat2wasm("(module " + declarations.joined(separator: " ") + ")", features: .all)
    }

    /// A memory of one page and `count` active one-byte data segments, each on a page of its own offset modulo 64 KiB.
    public static func dataSegments(_ count: Int) -> [UInt8] {
        var entries: [UInt8] = []
        for index in 0..<count {
            entries += [0x00, 0x41] + sleb128((index * 4096) % 65536) + [0x0B, 0x01, 0x61]
        }
        return module([
            (5, [0x01, 0x00, 0x01]),  // one memory, min 1 page
            (11, leb128(count) + entries),
        ])
    }

    /// `count` functions of type `() -> ()` with empty bodies.
    public static func functions(_ count: Int) -> [UInt8] {
        module([
            (1, [0x01, 0x60, 0x00, 0x00]),
            (3, leb128(count) + [UInt8](repeating: 0x00, count: count)),
            (10, leb128(count) + [[UInt8]](repeating: [0x02, 0x00, 0x0B], count: count).flatMap { $0 }),
        ])
    }

    /// `count` functions, each declaring `locals` i32 locals (WasmParser's per-function cap is 100,000).
    public static func locals(functions count: Int, each locals: Int) -> [UInt8] {
        let body = [0x01] + leb128(locals) + [0x7F, 0x0B]
        let entry = leb128(body.count) + body
        return module([
            (1, [0x01, 0x60, 0x00, 0x00]),
            (3, leb128(count) + [UInt8](repeating: 0x00, count: count)),
            (10, leb128(count) + [[UInt8]](repeating: entry, count: count).flatMap { $0 }),
        ])
    }

    /// A passive data segment that declares 4 GiB − 1 bytes in a file of a few dozen:
    /// a parser reading from a file stream allocates the declared length before it finds the file short.
    public static func declaredLengthBomb() -> [UInt8] {
        module([(11, [0x01, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x61, 0x62, 0x63])])
    }

    /// A core module header followed by the given (id, payload) sections.
    public static func module(_ sections: [(UInt8, [UInt8])]) -> [UInt8] {
        var bytes: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
        for (id, payload) in sections {
            bytes += [id] + leb128(payload.count) + payload
        }
        return bytes
    }

    public static func sleb128(_ value: Int) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while true {
            let byte = UInt8(value & 0x7F)
            value >>= 7
            if (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0) {
                bytes.append(byte)
                return bytes
            }
            bytes.append(byte | 0x80)
        }
    }
}
