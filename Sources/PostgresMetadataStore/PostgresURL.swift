import Foundation
import PostgresNIO

/// Turns a `postgres://user:password@host:port/database?sslmode=…` URL into a client configuration.
public enum PostgresURL {
    /// Why a URL was refused; the message never contains the password.
    public struct InvalidURLError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func configuration(from text: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme),
            let host = components.host, !host.isEmpty
        else {
            throw InvalidURLError(description: "expected postgres://user[:password]@host[:port]/database")
        }
        guard let user = components.user, !user.isEmpty else {
            throw InvalidURLError(description: "the URL names no user")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let sslMode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw InvalidURLError(description: "unknown sslmode '\(sslMode)'")
        }
        return PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: components.password?.removingPercentEncoding,
            database: database.isEmpty ? nil : database,
            tls: tls)
    }
}
