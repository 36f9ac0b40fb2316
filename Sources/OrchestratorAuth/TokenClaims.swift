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
    /// A unique token id, so a credential can be revoked individually later.
    public var jti: IDClaim?

    public init(
        subject: String, role: Role, node: String? = nil, issuer: String, audience: String,
        issuedAt: Double, expiresAt: Double, notBefore: Double? = nil, tokenID: String? = nil
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
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
