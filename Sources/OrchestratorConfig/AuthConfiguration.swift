import Foundation
import OrchestratorAuth

/// Token settings. Key files are read here so a missing file names its key.
public struct AuthConfiguration: Sendable {
    /// Everything the verifier and issuer need. `secret` may still be `nil`
    /// on the embedded default; the server then generates one in the data dir.
    public var settings: AuthSettings
    /// `true` when no key was configured and the embedded default may generate a secret.
    public var mayGenerateSecret: Bool
    /// How often each replica re-reads the revocations from the store (`auth.revocation.reconcileSeconds`),
    /// besides following the cache's pub/sub channel.
    public var revocationReconcileSeconds: Double

    init(_ values: ConfigValues, embedded: Bool) throws {
        var settings = AuthSettings()
        settings.algorithm = try values.oneOf("auth.jwt.algorithm", default: .hs256, TokenAlgorithm.self)
        settings.secret = values.string("auth.jwt.secret", secret: true)
        settings.publicKeyPEM = try Self.readFile(values.string("auth.jwt.publicKeyPath"), key: "auth.jwt.publicKeyPath")
        settings.privateKeyPEM = try Self.readFile(values.string("auth.jwt.privateKeyPath"), key: "auth.jwt.privateKeyPath")
        settings.keyID = values.string("auth.jwt.keyId")
        settings.jwksURL = values.string("auth.jwt.jwksUrl")
        settings.jwksRefreshSeconds = try values.int("auth.jwt.jwksRefreshSeconds", default: 300, range: 30...86_400)
        settings.issuer = values.string("auth.jwt.issuer") ?? "wasm-orchestrator"
        settings.audience = values.string("auth.jwt.audience") ?? "wasm-orchestrator"
        settings.leewaySeconds = try values.int("auth.jwt.leewaySeconds", default: 30, range: 0...300)
        settings.maxLifetimeSeconds = try values.int("auth.jwt.maxLifetimeSeconds", default: 2_592_000, range: 60...31_536_000)
        settings.issuedAtLeewaySeconds = try values.int("auth.jwt.issuedAtLeewaySeconds", default: 60, range: 0...600)
        settings.requireTokenID = try values.bool("auth.jwt.requireTokenId", default: true)
        revocationReconcileSeconds = Double(try values.int("auth.revocation.reconcileSeconds", default: 10, range: 1...3600))

        if let secret = settings.secret, secret.utf8.count < 32 {
            throw ConfigurationError(key: "auth.jwt.secret", problem: "must be at least 32 bytes")
        }
        if let url = settings.jwksURL, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            throw ConfigurationError(key: "auth.jwt.jwksUrl", problem: "must be an http(s) URL")
        }
        switch settings.algorithm {
        case .hs256:
            mayGenerateSecret = settings.secret == nil && settings.jwksURL == nil
            if settings.secret == nil && settings.jwksURL == nil && !embedded {
                throw ConfigurationError(
                    key: "auth.jwt.secret",
                    problem: "required with database.url: replicas must share one key (generate one with `openssl rand -hex 32`)")
            }
        case .es256, .rs256:
            mayGenerateSecret = false
            if settings.publicKeyPEM == nil && settings.privateKeyPEM == nil && settings.jwksURL == nil {
                throw ConfigurationError(key: "auth.jwt.publicKeyPath", problem: "required for \(settings.algorithm.rawValue)")
            }
        }
        self.settings = settings
    }

    private static func readFile(_ path: String?, key: String) throws -> String? {
        guard let path else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(key: key, problem: "cannot read \(path)")
        }
        return text
    }
}
