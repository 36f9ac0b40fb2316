import Foundation
import WAT
import WasmParser

/// WebAssembly test inputs, built from readable WAT text (WasmKit's WAT
/// encoder) or assembled byte by byte where WAT cannot express them.
public enum WasmFixtures {
    /// A core module with a memory (1–4 pages) and three function exports.
    public static let helloWAT = """
        (module
          (memory (export "memory") 1 4)
          (func (export "_start"))
          (func (export "handle") (param i32) (result i32) local.get 0)
          (func (export "version") (result i32) i32.const 2))
        """

    /// A WASI preview-1 command: imports `fd_write` and `proc_exit`, exports `_start`.
    public static let wasiCommandWAT = """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start") i32.const 0 call $proc_exit))
        """

    /// Decodes, but a function returns an i64 where it declares i32: only full validation catches it.
    public static let typeErrorWAT = """
        (module (func (export "bad") (result i32) i64.const 1))
        """

    /// A module with a start function that would loop forever if run: validation must not run it.
    public static let infiniteStartWAT = """
        (module (func $spin (loop $again br $again)) (start $spin) (export "spin" (func $spin)))
        """

    public static func hello() -> [UInt8] { try! wat2wasm(helloWAT) }
    public static func wasiCommand() -> [UInt8] { try! wat2wasm(wasiCommandWAT) }
    public static func typeError() -> [UInt8] { try! wat2wasm(typeErrorWAT) }
    public static func infiniteStart() -> [UInt8] { try! wat2wasm(infiniteStartWAT) }

    /// Any WAT text, optionally with the memory64 proposal enabled.
    public static func wat(_ text: String, memory64: Bool = false) -> [UInt8] {
        try! wat2wasm(text, features: memory64 ? [.memory64] : .default)
    }

    /// A variant of `hello` whose content differs (another constant).
    public static func helloVariant(_ value: Int) -> [UInt8] {
        try! wat2wasm(helloWAT.replacingOccurrences(of: "i32.const 2", with: "i32.const \(value)"))
    }

    /// A component-model binary (encoding 0x0d, layer 1) that embeds `core`
    /// as a core-module section (id 1), after a custom section.
    public static func component(embedding core: [UInt8] = hello()) -> [UInt8] {
        var bytes: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00]
        let name = Array("producers-test".utf8)
        let custom = leb128(name.count) + name + Array("fixture".utf8)
        bytes += [0x00] + leb128(custom.count) + custom
        bytes += [0x01] + leb128(core.count) + core
        return bytes
    }

    /// `module` with a custom section of `size` payload bytes appended (as debug info would be).
    public static func withCustomSection(_ module: [UInt8], size: Int) -> [UInt8] {
        let name = Array("debug-blob".utf8)
        let body = leb128(name.count) + name + [UInt8](repeating: 0xAB, count: size)
        return module + [0x00] + leb128(body.count) + body
    }

    /// A component header followed by a section that claims more bytes than follow.
    public static func truncatedComponent() -> [UInt8] {
        [0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00, 0x01, 0xFF, 0x01, 0x00, 0x61]
    }

    public static func leb128(_ value: Int) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while value != 0
        return bytes
    }
}
