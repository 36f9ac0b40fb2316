/// A content address: the SHA-256 of a blob, written `sha256:<64 lowercase hex>`.
public struct ContentDigest: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 64 lowercase hex characters.
    public let hex: String

    /// Accepts exactly 64 hex characters (any case; stored lowercase).
    public init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy(Self.isHexDigit) else { return nil }
        self.hex = hex.lowercased()
    }

    /// Parses the `sha256:<hex>` form.
    public init?(parsing text: String) {
        guard text.hasPrefix("sha256:") else { return nil }
        self.init(hex: String(text.dropFirst("sha256:".count)))
    }

    /// Builds a digest from the 32 raw bytes of a SHA-256.
    public init(bytes: some Sequence<UInt8>) {
        let table = Array("0123456789abcdef".utf8)
        var chars: [UInt8] = []
        chars.reserveCapacity(64)
        for byte in bytes {
            chars.append(table[Int(byte >> 4)])
            chars.append(table[Int(byte & 0x0F)])
        }
        self.hex = String(decoding: chars, as: UTF8.self)
    }

    public var description: String { "sha256:\(hex)" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let digest = ContentDigest(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a sha256 digest"))
        }
        self = digest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func isHexDigit(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)
    }
}
