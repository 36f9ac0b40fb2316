/// Builds a JSON object's text with its members in insertion order (the domain has no JSON encoder, and the
/// envelope's member order is part of the shared contract's examples).
struct JSONObjectText {
    private var members: [String] = []

    mutating func add(_ key: String, _ value: String) {
        members.append(Self.quoted(key) + ":" + Self.quoted(value))
    }

    /// `json` is already JSON text (a nested object).
    mutating func addRaw(_ key: String, _ json: String) {
        members.append(Self.quoted(key) + ":" + json)
    }

    var text: String { "{" + members.joined(separator: ",") + "}" }

    /// A JSON string literal: quotes, backslashes and control characters escaped (RFC 8259 §7).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
