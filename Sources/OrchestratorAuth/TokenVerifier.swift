import Foundation
import JWTKit
import OrchestratorDomain

/// Verifies bearer tokens: header pinning, signature, then claims.
///
/// Order matters (RFC 8725): the header is checked against the key ring
/// first, so `alg: none`, algorithm confusion (an HS256 token "signed" with
/// our public key) and unknown `kid`s never reach a verifier.
public struct TokenVerifier: Sendable {
    public let settings: AuthSettings
    public let keyRing: KeyRing
    /// Seconds since 1970; injectable for tests.
    let now: @Sendable () -> Double

    init(settings: AuthSettings, keyRing: KeyRing, now: @escaping @Sendable () -> Double) {
        self.settings = settings
        self.keyRing = keyRing
        self.now = now
    }

    /// Builds a verifier from settings; throws ``InvalidKeyMaterialError`` naming the bad key.
    public static func make(
        settings: AuthSettings,
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) async throws -> TokenVerifier {
        let ring = KeyRing()
        if settings.jwksURL == nil || settings.secret != nil || settings.publicKeyPEM != nil || settings.privateKeyPEM != nil {
            await ring.setLocalKey(try await KeyLoading.verificationKey(settings), keyID: settings.keyID)
        }
        return TokenVerifier(settings: settings, keyRing: ring, now: now)
    }

    /// Returns the principal a valid token names, or throws ``AuthenticationError``.
    public func verify(_ token: String) async throws(AuthenticationError) -> Principal {
        let header = try JWTHeaderPeek.parse(token)
        guard let alg = header.alg, alg != "none", TokenAlgorithm(rawValue: alg) != nil else { throw .algorithmRejected }
        guard header.crit == nil else { throw .malformed }  // we implement no critical extensions
        if let kid = header.kid, kid.utf8.count > 128 || kid.isEmpty { throw .unknownKey }
        guard let pinned = await keyRing.key(for: header.kid) else { throw .unknownKey }
        guard pinned.algorithm.rawValue == alg else { throw .algorithmRejected }

        let claims: TokenClaims
        do {
            claims = try await pinned.keys.verify(token, as: TokenClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .badSignature
        } catch let error as JWTError where error.errorType == .malformedToken {
            throw .malformed
        } catch {
            throw .badSignature
        }
        return try check(claims)
    }

    /// Time, issuer, audience and role checks, with leeway on the clock.
    func check(_ claims: TokenClaims) throws(AuthenticationError) -> Principal {
        let current = now()
        let leeway = Double(settings.leewaySeconds)
        guard claims.exp.value.timeIntervalSince1970 + leeway > current else { throw .expired }
        if let nbf = claims.nbf, nbf.value.timeIntervalSince1970 - leeway > current { throw .notYetValid }
        guard claims.iss.value == settings.issuer else { throw .wrongIssuer }
        guard claims.aud.value.contains(settings.audience) else { throw .wrongAudience }
        guard let role = Role(rawValue: claims.role), !claims.sub.value.isEmpty, claims.sub.value.utf8.count <= 256 else {
            throw .badClaims
        }
        if role == .agent, claims.node == nil { throw .badClaims }
        return Principal(
            subject: claims.sub.value, role: role, nodeID: claims.node,
            expiresAt: claims.exp.value.timeIntervalSince1970)
    }
}
