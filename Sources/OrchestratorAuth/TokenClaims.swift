import JWTKit
import OrchestratorDomain

/// The claims our tokens carry.
///
/// Claim checks (time, issuer, audience) are done by ``TokenVerifier`` with
/// a configurable leeway, so ``verify(using:)`` here is deliberately empty.
public struct TokenClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var role: String
    /// For agent tokens: the node the credential belongs to.
    public var node: String?
    public var iss: IssuerClaim
    public var aud: AudienceClaim
    public var exp: ExpirationClaim
    public var nbf: NotBeforeClaim?
    public var iat: IssuedAtClaim?
    /// A unique token id: the handle `DELETE /auth/tokens/{jti}` revokes.
    public var jti: IDClaim?
    /// RFC 8693 §4.1: who minted this token on the subject's behalf (nested for a chain).
    public var act: ActorClaim?

    public init(
        subject: String, role: Role, node: String? = nil, issuer: String, audience: String,
        issuedAt: Double, expiresAt: Double, notBefore: Double? = nil, tokenID: String? = nil, actors: [String] = []
    ) {
        self.sub = SubjectClaim(value: subject)
        self.role = role.rawValue
        self.node = node
        self.iss = IssuerClaim(value: issuer)
        self.aud = AudienceClaim(value: [audience])
        self.exp = ExpirationClaim(value: Date(timeIntervalSince1970: expiresAt))
        self.nbf = notBefore.map { NotBeforeClaim(value: Date(timeIntervalSince1970: $0)) }
        self.iat = IssuedAtClaim(value: Date(timeIntervalSince1970: issuedAt))
        self.jti = tokenID.map { IDClaim(value: $0) }
        self.act = ActorClaim(chain: actors)
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
