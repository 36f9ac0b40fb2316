/// Why a request could not be authenticated. Every case maps to 401.
///
/// The `reason` text is safe to return to clients (RFC 6750 allows an
/// `error_description`): it names the failed check, never key material.
public struct AuthenticationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }

    public static let missingToken = AuthenticationError("no bearer token was presented")
    public static let malformed = AuthenticationError("the token is not a well-formed JWT")
    public static let algorithmRejected = AuthenticationError("the token's algorithm is not the one pinned to its key")
    public static let unknownKey = AuthenticationError("the token names a key this server does not know")
    public static let badSignature = AuthenticationError("the token's signature does not verify")
    public static let expired = AuthenticationError("the token has expired")
    public static let notYetValid = AuthenticationError("the token is not valid yet")
    public static let wrongIssuer = AuthenticationError("the token was issued by someone else")
    public static let wrongAudience = AuthenticationError("the token is meant for another audience")
    public static let badClaims = AuthenticationError("the token's claims are missing or invalid")
    public static let issuedInFuture = AuthenticationError("the token's iat lies in the future")
    public static let missingIssuedAt = AuthenticationError("the token has no iat, so its lifetime cannot be checked")
    public static let lifetimeTooLong = AuthenticationError("the token's lifetime (exp - iat) exceeds the server's maximum")
    public static let missingTokenID = AuthenticationError("the token has no jti, so it could not be revoked")
    public static let revoked = AuthenticationError("the token has been revoked")
}
