import Foundation
import Logging

/// Creates the embedded default's HS256 secret on first start, like Vault's dev mode.
///
/// The secret goes to `<data.dir>/jwt-secret` with mode 0600 and is reused
/// on later starts; `token issue --data-dir` reads the same file.
public enum SecretBootstrap {
    public static func secretFile(dataDirectory: String) -> String {
        dataDirectory + "/jwt-secret"
    }

    /// Returns the stored secret, creating it if needed. `created` tells whether this call made it.
    public static func loadOrCreate(dataDirectory: String) throws -> (secret: String, created: Bool) {
        let path = secretFile(dataDirectory: dataDirectory)
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
            existing.utf8.count >= 32
        {
            return (existing, false)
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secret = bytes.map { String(format: "%02x", $0) }.joined()
        guard FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        return (secret, true)
    }

    /// Reads the secret without creating it (for `token issue`).
    public static func load(dataDirectory: String) -> String? {
        guard let text = try? String(contentsOfFile: secretFile(dataDirectory: dataDirectory), encoding: .utf8) else { return nil }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return secret.utf8.count >= 32 ? secret : nil
    }
}
