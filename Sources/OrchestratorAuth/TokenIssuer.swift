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

    /// A signed token for `subject` with `role`, valid for `ttlSeconds` from now.
    public func issue(subject: String, role: Role, node: String? = nil, ttlSeconds: Int) async throws -> String {
        let issuedAt = now()
        let claims = TokenClaims(
            subject: subject, role: role, node: node, issuer: settings.issuer, audience: settings.audience,
            issuedAt: issuedAt, expiresAt: issuedAt + Double(ttlSeconds), tokenID: UUID().uuidString)
        return try await keys.sign(claims, kid: settings.keyID.map { JWKIdentifier(string: $0) })
    }
}
