/// An edge node's id as the agent chooses it (seed 004: `edge-node-001`):
/// 1–128 characters of letters, digits, `.`, `_` and `-`, starting with a letter or digit.
public struct NodeID: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    public let value: String

    public init?(_ value: String) {
        let bytes = Array(value.utf8)
        guard (1...128).contains(bytes.count),
            bytes.allSatisfy({ Self.isAlphanumeric($0) || $0 == 46 || $0 == 95 || $0 == 45 }),
            Self.isAlphanumeric(bytes[0])
        else { return nil }
        self.value = value
    }

    public var description: String { value }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.value < rhs.value }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = NodeID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a node id"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
