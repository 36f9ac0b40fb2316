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
    /// Revoked `jti`s, consulted in memory on every verification (no I/O per request).
    public let revocations: RevocationList
    /// Seconds since 1970; injectable for tests.
    let now: @Sendable () -> Double

    init(settings: AuthSettings, keyRing: KeyRing, revocations: RevocationList, now: @escaping @Sendable () -> Double) {
        self.settings = settings
        self.keyRing = keyRing
        self.revocations = revocations
        self.now = now
    }

    /// Builds a verifier from settings; throws ``InvalidKeyMaterialError`` naming the bad key.
    ///
    /// - Parameter revocations: the list kept current by ``TokenRevocations``; a fresh, empty one by default.
    public static func make(
        settings: AuthSettings,
        revocations: RevocationList = RevocationList(),
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) async throws -> TokenVerifier {
        let ring = KeyRing()
        if settings.jwksURL == nil || settings.secret != nil || settings.publicKeyPEM != nil || settings.privateKeyPEM != nil {
            await ring.setLocalKey(try await KeyLoading.verificationKey(settings), keyID: settings.keyID)
        }
        return TokenVerifier(settings: settings, keyRing: ring, revocations: revocations, now: now)
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

    /// Time, lifetime, issuer, audience, subject, actor, role and revocation checks, with leeway on the clock.
    ///
    /// Lifetime: `iat` is required and may lie at most `issuedAtLeewaySeconds` in the
    /// future; `exp - iat` may not exceed `maxLifetimeSeconds`, so a leaked signing
    /// key or a careless `--ttl` cannot produce a credential that outlives the policy.
    func check(_ claims: TokenClaims) throws(AuthenticationError) -> Principal {
        let current = now()
        let leeway = Double(settings.leewaySeconds)
        let expiresAt = claims.exp.value.timeIntervalSince1970
        guard expiresAt + leeway > current else { throw .expired }
        if let nbf = claims.nbf, nbf.value.timeIntervalSince1970 - leeway > current { throw .notYetValid }
        guard let issuedAt = claims.iat?.value.timeIntervalSince1970 else { throw .missingIssuedAt }
        guard issuedAt - Double(settings.issuedAtLeewaySeconds) <= current else { throw .issuedInFuture }
        guard expiresAt - issuedAt <= Double(settings.maxLifetimeSeconds) else { throw .lifetimeTooLong }
        guard claims.iss.value == settings.issuer else { throw .wrongIssuer }
        guard claims.aud.value.contains(settings.audience) else { throw .wrongAudience }
        guard let role = Role(rawValue: claims.role), Self.isAcceptableName(claims.sub.value) else { throw .badClaims }
        if role == .agent, claims.node == nil { throw .badClaims }
        var actors: [String] = []
        if let act = claims.act {
            guard let chain = act.chain else { throw .badClaims }
            actors = chain
        }
        guard actors.allSatisfy(Self.isAcceptableName) else { throw .badClaims }
        let tokenID = claims.jti?.value
        if let tokenID {
            guard TokenID.isWellFormed(tokenID) else { throw .badClaims }
            if revocations.contains(tokenID) { throw .revoked }
        } else if settings.requireTokenID {
            throw .missingTokenID
        }
        return Principal(
            subject: claims.sub.value, role: role, nodeID: claims.node, expiresAt: expiresAt, actors: actors, tokenID: tokenID)
    }

    /// Subjects, actors and token ids: 1 to 256 bytes without control characters
    /// (an external issuer's subjects need not follow our own charset).
    static func isAcceptableName(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.count <= 256 && !TokenSubject.containsControlCharacters(value)
    }
}
