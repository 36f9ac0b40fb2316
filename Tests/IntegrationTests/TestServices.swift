import Foundation
import Testing

/// Where the real services are, from `scripts/services-up.sh`'s `env.sh`.
///
/// Locally, a backend whose variables are missing is left out of the
/// parameterised contract suites. With `CI_REQUIRE_SERVICES=1` (set by
/// `scripts/test.sh`, so always in CI) every backend is included and a
/// missing variable fails the test instead of skipping it.
enum TestServices {
    static let environment = ProcessInfo.processInfo.environment

    static var required: Bool { environment["CI_REQUIRE_SERVICES"] == "1" }

    static func value(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    static var hasPostgres: Bool { required || value("TEST_POSTGRES_URL") != nil }
    static var hasRedis: Bool { required || value("TEST_REDIS_URL") != nil }
    static var hasS3: Bool { required || value("TEST_S3_ENDPOINT") != nil }

    /// The variable's value, or a thrown error naming it (a failure, never a skip).
    static func require(_ name: String) throws -> String {
        guard let value = value(name) else { throw MissingServiceError(variable: name) }
        return value
    }

    /// Refuses to run destructive setup against anything but loopback.
    static func requireLoopback(_ url: String) throws {
        guard let host = URLComponents(string: url)?.host, ["127.0.0.1", "localhost", "::1"].contains(host) else {
            throw MissingServiceError(variable: "loopback host in \(url)")
        }
    }
}

struct MissingServiceError: Error, CustomStringConvertible {
    let variable: String
    var description: String { "\(variable) is not set: run the suite through scripts/test.sh" }
}

/// A unique, short suffix for names that tests create.
func uniqueName(_ prefix: String) -> String {
    prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
}
