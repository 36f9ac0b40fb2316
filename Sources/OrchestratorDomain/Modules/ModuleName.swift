/// A module's name: a DNS label (RFC 1123), so it is safe in URLs, keys and hostnames.
public struct ModuleName: Sendable, Hashable, Codable, CustomStringConvertible {
    public let value: String

    /// 1–63 characters of `a-z`, `0-9` and `-`, starting and ending with a letter or digit.
    public init?(_ value: String) {
        let bytes = Array(value.utf8)
        guard (1...63).contains(bytes.count),
            bytes.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }),
            bytes.first != 45, bytes.last != 45
        else { return nil }
        self.value = value
    }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let name = ModuleName(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a DNS label"))
        }
        self = name
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
