import Foundation
import JWTKit
import OrchestratorDomain

/// Signs tokens with the configured private key or secret.
public struct TokenIssuer: Sendable {
    let settings: AuthSettings
    let keys: JWTKeyCollection
    let now: @Sendable () -> Double

    /// Throws ``InvalidKeyMaterialError`` when no signing key is configured.
    public static func make(
        settings: AuthSettings,
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) async throws -> TokenIssuer {
        TokenIssuer(settings: settings, keys: try await KeyLoading.signingKey(settings), now: now)
    }

    /// The longest lifetime a token may be issued with (`auth.jwt.maxLifetimeSeconds`).
    public var maxLifetimeSeconds: Int { settings.maxLifetimeSeconds }

    /// A signed token for `subject` with `role`, valid for `ttlSeconds` from now.
    public func issue(subject: String, role: Role, node: String? = nil, ttlSeconds: Int) async throws -> String {
        try await mint(subject: subject, role: role, node: node, ttlSeconds: ttlSeconds).token
    }

    /// A signed token and what it says.
    ///
    /// - Parameters:
    ///   - actors: the RFC 8693 actor chain, innermost first (the minter, then whoever minted the minter's token…).
    ///   - notAfter: the token never outlives this time (the minter's own `exp`), whatever `ttlSeconds` says.
    public func mint(
        subject: String, role: Role, node: String? = nil, ttlSeconds: Int, actors: [String] = [], notAfter: Double? = nil
    ) async throws -> MintedToken {
        let issuedAt = now()
        var expiresAt = issuedAt + Double(ttlSeconds)
        if let notAfter { expiresAt = min(expiresAt, notAfter) }
        let tokenID = UUID().uuidString.lowercased()
        let claims = TokenClaims(
            subject: subject, role: role, node: node, issuer: settings.issuer, audience: settings.audience,
            issuedAt: issuedAt, expiresAt: expiresAt, tokenID: tokenID, actors: actors)
        let token = try await keys.sign(claims, kid: settings.keyID.map { JWKIdentifier(string: $0) })
        return MintedToken(token: token, tokenID: tokenID, issuedAt: issuedAt, expiresAt: expiresAt)
    }
}

/// A token as issued, with the claims callers report back.
public struct MintedToken: Sendable, Hashable {
    public let token: String
    /// The `jti`, for `DELETE /auth/tokens/{jti}`.
    public let tokenID: String
    public let issuedAt: Double
    public let expiresAt: Double
}
