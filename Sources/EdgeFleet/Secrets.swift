import Crypto
import Foundation
import OrchestratorDomain

/// Opaque bearer secrets for nodes and enrollment. Only their SHA-256 is stored.
///
/// - Node credentials: `wnc_<43 base64url chars>` (256 random bits).
/// - Enrollment tokens: `wet_<id>_<43 base64url chars>`; the id lets admins list and revoke them.
public enum Secrets {
    public static let nodeCredentialPrefix = "wnc_"
    public static let enrollmentPrefix = "wet_"

    public static func newNodeCredential() -> String {
        nodeCredentialPrefix + randomToken()
    }

    /// A new enrollment token and its public id.
    public static func newEnrollmentToken() -> (id: String, token: String) {
        let id = String(randomToken(bytes: 9).prefix(12)).replacingOccurrences(of: "_", with: "x").replacingOccurrences(of: "-", with: "y")
        return (id, enrollmentPrefix + id + "_" + randomToken())
    }

    /// Hex SHA-256 of the whole secret, as stored.
    public static func hash(_ secret: String) -> String {
        ContentDigest(bytes: SHA256.hash(data: Array(secret.utf8))).hex  // on every agent request: no String(format:)
    }

    static func randomToken(bytes count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Bounded shape check before any lookup: prefix, length and alphabet.
    public static func looksLike(_ secret: String, prefix: String) -> Bool {
        secret.hasPrefix(prefix) && (prefix.count + 20...prefix.count + 80).contains(secret.utf8.count)
            && secret.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 }
    }
}
