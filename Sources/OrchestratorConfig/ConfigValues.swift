import Configuration
import Foundation

/// Typed, validated reads over a `ConfigReader`.
///
/// Values may arrive typed (a JSON number) or as text (environment, flags);
/// both are accepted, and text that does not parse is an error naming the
/// key instead of a silent fall back to the default.
struct ConfigValues {
    let reader: ConfigReader

    func string(_ key: String, secret: Bool = false) -> String? {
        let value = reader.string(forKey: ConfigKey(key), isSecret: secret)
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    func int(_ key: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        let value: Int
        if let typed = reader.int(forKey: ConfigKey(key)) {
            value = typed
        } else if let text = string(key) {
            guard let parsed = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError(key: key, problem: "'\(text)' is not an integer")
            }
            value = parsed
        } else {
            return defaultValue
        }
        guard range.contains(value) else {
            throw ConfigurationError(key: key, problem: "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        if let typed = reader.bool(forKey: ConfigKey(key)) { return typed }
        guard let text = string(key)?.lowercased() else { return defaultValue }
        switch text {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError(key: key, problem: "'\(text)' is not a boolean (true/false)")
        }
    }

    func oneOf<T: RawRepresentable<String>>(_ key: String, default defaultValue: T, _ type: T.Type) throws -> T {
        guard let text = string(key) else { return defaultValue }
        guard let value = T(rawValue: text) else {
            throw ConfigurationError(key: key, problem: "'\(text)' is not one of the accepted values")
        }
        return value
    }
}
