/// What the first eight bytes of an upload say it is, checked before a full parse.
///
/// Both core modules and components start with the magic `\0asm`; the next
/// four bytes are a little-endian 16-bit version and 16-bit layer. Core
/// modules are version 1, layer 0; components are layer 1 with a pre-1.0
/// encoding version.
public enum WasmBinaryKind: String, Sendable, Codable, Hashable {
    /// Core WebAssembly.
    case module
    /// The component model.
    case component
}

public enum WasmBinaryHeader {
    /// Why a header was refused, in words a user can act on.
    public enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        case tooShort
        case badMagic
        case unknownVersion(version: Int, layer: Int)

        public var description: String {
            switch self {
            case .tooShort: "the upload is shorter than the 8-byte WebAssembly header"
            case .badMagic: "the upload does not start with the WebAssembly magic bytes (\\0asm)"
            case .unknownVersion(let version, let layer): "unsupported WebAssembly version \(version) (layer \(layer))"
            }
        }
    }

    /// Component-model encoding versions we accept (layer 1).
    public static let componentVersions: ClosedRange<Int> = 0x0A...0x0D

    /// Classifies the first bytes of an upload (at least 8 are needed).
    public static func classify(_ prefix: some Collection<UInt8>) throws(Rejection) -> WasmBinaryKind {
        let bytes = Array(prefix.prefix(8))
        guard bytes.count == 8 else { throw .tooShort }
        guard bytes[0...3] == [0x00, 0x61, 0x73, 0x6D] else { throw .badMagic }
        let version = Int(bytes[4]) | Int(bytes[5]) << 8
        let layer = Int(bytes[6]) | Int(bytes[7]) << 8
        switch (version, layer) {
        case (1, 0): return .module
        case (let v, 1) where componentVersions.contains(v): return .component
        default: throw .unknownVersion(version: version, layer: layer)
        }
    }
}
