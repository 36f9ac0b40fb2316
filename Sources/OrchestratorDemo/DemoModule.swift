/// The demo's sample module, `greeter`: a core WebAssembly module that exports one memory and a function `handle`
/// returning `answer` (so two versions differ in content and digest). Assembled byte by byte, because the server
/// binary carries no WAT encoder; the server validates it like any upload.
public enum DemoModule {
    public static let name = "greeter"
    public static let entrypoint = "handle"

    /// `(module (memory (export "memory") 1) (func (export "handle") (result i32) (i32.const answer)))`.
    /// - Parameter answer: 0…63, so that the constant is one signed LEB128 byte.
    public static func binary(answer: UInt8) -> [UInt8] {
        precondition(answer < 64, "one-byte signed LEB128")
        let header: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
        let types = section(1, [0x01, 0x60, 0x00, 0x01, 0x7F])  // one type: () -> i32
        let functions = section(3, [0x01, 0x00])  // one function of type 0
        let memories = section(5, [0x01, 0x00, 0x01])  // one memory, minimum 1 page, no maximum
        let exports = section(7, [0x02] + name("handle") + [0x00, 0x00] + name("memory") + [0x02, 0x00])
        let body: [UInt8] = [0x00, 0x41, answer, 0x0B]  // no locals; i32.const answer; end
        let code = section(10, [0x01, UInt8(body.count)] + body)
        return header + types + functions + memories + exports + code
    }

    private static func section(_ id: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [id, UInt8(payload.count)] + payload
    }

    private static func name(_ text: String) -> [UInt8] {
        [UInt8(text.utf8.count)] + Array(text.utf8)
    }
}
