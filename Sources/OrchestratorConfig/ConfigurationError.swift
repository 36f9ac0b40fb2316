/// A configuration value that stops start-up. Always names the key.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The dotted key, e.g. `server.port` (environment: `SERVER_PORT`).
    public let key: String
    public let problem: String

    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String {
        "invalid configuration '\(key)' (env \(ConfigurationError.environmentName(of: key))): \(problem)"
    }

    /// The environment variable swift-configuration maps a key to: `s3.accessKey` → `S3_ACCESS_KEY`.
    public static func environmentName(of key: String) -> String {
        var out = ""
        for component in key.split(separator: ".") {
            if !out.isEmpty { out += "_" }
            var previousWasLower = false
            for character in component {
                if character.isUppercase && previousWasLower { out += "_" }
                out += character.uppercased()
                previousWasLower = character.isLowercase || character.isNumber
            }
        }
        return out
    }
}
