import Foundation
import JWTKit
import OrchestratorDomain
import Testing

@testable import OrchestratorAuth

/// Issue 11 item 6: lifetime bounds, `iat`, `jti`, `act` and subjects in the verifier and issuer.
@Suite("Token hardening: lifetime, iat, jti, act, subjects")
struct TokenHardeningTests {
    let secret = TokenFixtures.secret()

    private func verifier(
        maxLifetime: Int = 2_592_000, requireTokenID: Bool = true, revocations: RevocationList = RevocationList()
    ) async throws -> TokenVerifier {
        var settings = TokenFixtures.settings(secret: secret)
        settings.maxLifetimeSeconds = maxLifetime
        settings.requireTokenID = requireTokenID
        return try await TokenVerifier.make(settings: settings, revocations: revocations, now: { TokenFixtures.now })
    }

    private func sign(_ claims: TokenClaims) async throws -> String {
        try await TokenFixtures.hs256(claims, secret: secret)
    }

    @Test("a lifetime (exp - iat) beyond the configured maximum is refused; exactly the maximum is accepted")
    func maximumLifetime() async throws {
        let verifier = try await verifier(maxLifetime: 3600)
        let tooLong = try await sign(TokenFixtures.claims(exp: TokenFixtures.now + 3601))
        await #expect(throws: AuthenticationError.lifetimeTooLong) { try await verifier.verify(tooLong) }
        let tenYears = try await sign(TokenFixtures.claims(exp: TokenFixtures.now + 315_360_000))
        await #expect(throws: AuthenticationError.lifetimeTooLong) { try await verifier.verify(tenYears) }
        let exact = try await sign(TokenFixtures.claims(exp: TokenFixtures.now + 3600))
        #expect(try await verifier.verify(exact).subject == "alice")
    }

    @Test("an iat in the future beyond 60 s is refused; within the leeway it is accepted")
    func futureIssuedAt() async throws {
        let verifier = try await verifier()
        let future = try await sign(TokenFixtures.claims(exp: TokenFixtures.now + 7200, iat: TokenFixtures.now + 61))
        await #expect(throws: AuthenticationError.issuedInFuture) { try await verifier.verify(future) }
        let skewed = try await sign(TokenFixtures.claims(exp: TokenFixtures.now + 7200, iat: TokenFixtures.now + 59))
        #expect(try await verifier.verify(skewed).subject == "alice")
    }

    @Test("a token without iat is refused: its lifetime cannot be bounded")
    func missingIssuedAt() async throws {
        let verifier = try await verifier()
        var claims = TokenFixtures.claims()
        claims.iat = nil
        await #expect(throws: AuthenticationError.missingIssuedAt) { try await verifier.verify(try await sign(claims)) }
    }

    @Test("a token without jti is refused by default (it could not be revoked), accepted when configured so")
    func missingTokenID() async throws {
        let token = try await sign(TokenFixtures.claims(tokenID: nil))
        await #expect(throws: AuthenticationError.missingTokenID) { try await verifier().verify(token) }
        #expect(try await verifier(requireTokenID: false).verify(token).tokenID == nil)
    }

    @Test("a revoked jti is refused at once; other tokens are not affected")
    func revokedTokenID() async throws {
        let list = RevocationList()
        let verifier = try await verifier(revocations: list)
        let token = try await sign(TokenFixtures.claims(tokenID: "t-1"))
        #expect(try await verifier.verify(token).tokenID == "t-1")
        list.insert("t-1", until: TokenFixtures.now + 3600)
        await #expect(throws: AuthenticationError.revoked) { try await verifier.verify(token) }
        #expect(try await verifier.verify(try await sign(TokenFixtures.claims(tokenID: "t-2"))).subject == "alice")
    }

    @Test("subjects, actors and jti with control characters are refused", arguments: ["bob\u{0}", "bob\nadmin", "a\u{1B}[31m", "x\u{85}", "\u{7F}"])
    func controlCharacters(hostile: String) async throws {
        let verifier = try await verifier()
        await #expect(throws: AuthenticationError.badClaims) { try await verifier.verify(try await sign(TokenFixtures.claims(subject: hostile))) }
        await #expect(throws: AuthenticationError.badClaims) { try await verifier.verify(try await sign(TokenFixtures.claims(actors: [hostile]))) }
        await #expect(throws: AuthenticationError.badClaims) { try await verifier.verify(try await sign(TokenFixtures.claims(tokenID: hostile))) }
    }

    @Test("the act chain becomes the principal's actors, innermost first; a chain deeper than 16 is refused")
    func actorChain() async throws {
        let verifier = try await verifier()
        let principal = try await verifier.verify(try await sign(TokenFixtures.claims(subject: "bob", actors: ["alice", "root"])))
        #expect(principal.subject == "bob")
        #expect(principal.actors == ["alice", "root"])
        #expect(principal.person == Person(subject: "root", actors: ["bob", "alice"]))
        let deep = (0..<17).map { "a\($0)" }
        await #expect(throws: AuthenticationError.badClaims) { try await verifier.verify(try await sign(TokenFixtures.claims(actors: deep))) }
    }

    @Test("act is the RFC 8693 nested object on the wire")
    func actWireFormat() async throws {
        let token = try await sign(TokenFixtures.claims(subject: "bob", actors: ["alice", "root"]))
        let payload = try #require(Data(base64URLEncoded: String(token.split(separator: ".")[1])))
        let json = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        let act = try #require(json["act"] as? [String: Any])
        #expect(act["sub"] as? String == "alice")
        #expect((act["act"] as? [String: Any])?["sub"] as? String == "root")
        #expect((act["act"] as? [String: Any])?["act"] == nil)
    }

    @Test("mint caps the lifetime at notAfter and records the actors and jti")
    func mintBounds() async throws {
        let settings = TokenFixtures.settings(secret: secret)
        let issuer = try await TokenIssuer.make(settings: settings, now: { TokenFixtures.now })
        let minted = try await issuer.mint(
            subject: "bob", role: .admin, ttlSeconds: 86_400, actors: ["alice"], notAfter: TokenFixtures.now + 600)
        #expect(minted.expiresAt == TokenFixtures.now + 600)
        let principal = try await verifier().verify(minted.token)
        #expect(principal.expiresAt == TokenFixtures.now + 600)
        #expect(principal.actors == ["alice"])
        #expect(principal.tokenID == minted.tokenID)
    }

    @Test("the subject charset: 1 to 128 of A-Z a-z 0-9 . _ @ : + -")
    func subjectCharset() {
        for good in ["alice", "ci-bot", "svc:deploy+prod", "a.b_c@example.com", String(repeating: "x", count: 128)] {
            #expect(TokenSubject.isValid(good), "\(good)")
        }
        for bad in ["", String(repeating: "x", count: 129), "bob smith", "bob\n", "bob\u{0}", "ålice", "a/b", "a\"b", "<script>"] {
            #expect(!TokenSubject.isValid(bad), "\(bad.debugDescription)")
        }
    }
}
