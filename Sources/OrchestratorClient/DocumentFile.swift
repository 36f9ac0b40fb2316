import Foundation
import Yams

/// Reads a request body (a deployment spec) from a JSON or YAML file.
///
/// YAML scalars keep the type YAML 1.1 resolves (`10` a number, `true` a bool, `"10"` a string), so a
/// YAML file and the JSON it stands for send the same body.
public enum DocumentFile {
    /// Parses `text`: JSON when it parses as JSON, YAML otherwise (JSON is YAML too, but stricter about numbers).
    public static func parse(_ text: String, name: String) throws -> JSONValue {
        if let json = try? JSONValue.parse(Data(text.utf8)) { return json }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ClientError.usage("\(name) is neither JSON nor YAML: \(error)")
        }
        guard let node else { throw ClientError.usage("\(name) is empty") }
        return try value(of: node, in: name)
    }

    /// The largest spec file read.
    public static let maxBytes = 1 << 20

    /// Reads and parses the file at `path` (`-` is standard input), at most ``maxBytes``.
    public static func read(path: String) throws -> JSONValue {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let file = FileHandle(forReadingAtPath: path) else { throw ClientError.usage("cannot read \(path)") }
            handle = file
        }
        // Bounded: a spec is a few kilobytes, and the server refuses bodies this large anyway.
        let data = handle.readData(ofLength: maxBytes + 1)
        guard data.count <= maxBytes else { throw ClientError.usage("\(path) is larger than \(maxBytes) bytes") }
        return try parse(String(decoding: data, as: UTF8.self), name: path)
    }

    private static func value(of node: Node, in name: String) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return Bool.construct(from: scalar).map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return Int.construct(from: scalar).map { .number(Double($0)) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue:
                guard let number = Double.construct(from: scalar) else { return .string(scalar.string) }
                // JSON has no infinity or NaN: refuse rather than send a body the encoder cannot write.
                guard number.isFinite else { throw ClientError.usage("\(name): \(scalar.string) is not a finite number") }
                return .number(number)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            return .array(try sequence.map { try value(of: $0, in: name) })
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, item) in mapping {
                guard let key = key.string else { throw ClientError.usage("\(name): mapping keys must be strings") }
                members[key] = try value(of: item, in: name)
            }
            return .object(members)
        case .alias:
            throw ClientError.usage("\(name): YAML aliases are not supported")
        }
    }
}
