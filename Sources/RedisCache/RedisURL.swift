import Foundation

/// Where and how to reach Redis, parsed from `redis://[:password@]host[:port][/db]`.
public struct RedisEndpoint: Sendable, Hashable {
    public let host: String
    public let port: Int
    public let password: String?
    public let database: Int

    public init(host: String, port: Int = 6379, password: String? = nil, database: Int = 0) {
        self.host = host
        self.port = port
        self.password = password
        self.database = database
    }

    /// Why a Redis URL was refused; never echoes the password.
    public struct InvalidURLError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Parses a `redis://` URL. TLS (`rediss://`) is refused: Debian's hiredis 0.14 has no TLS.
    public init(url text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme else {
            throw InvalidURLError(description: "expected redis://[:password@]host[:port][/db]")
        }
        guard scheme == "redis" else {
            throw InvalidURLError(description: "scheme '\(scheme)' is not supported (only redis://; hiredis 0.14 has no TLS)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw InvalidURLError(description: "the URL names no host")
        }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard path.isEmpty || Int(path) != nil else {
            throw InvalidURLError(description: "the database must be a number, e.g. redis://host:6379/0")
        }
        self.init(
            host: host,
            port: components.port ?? 6379,
            password: components.password?.removingPercentEncoding,
            database: Int(path) ?? 0)
    }
}
