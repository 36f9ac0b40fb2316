import Crypto
import Foundation
import JWTKit
import OrchestratorDomain
import Testing

@testable import OrchestratorAuth

@Suite("Token verification (RFC 8725)")
struct TokenVerifierTests {
    let secret = TokenFixtures.secret()

    private func verifier(_ settings: AuthSettings) async throws -> TokenVerifier {
        try await TokenVerifier.make(settings: settings, now: { TokenFixtures.now })
    }

    private func expectRejected(_ token: String, by verifier: TokenVerifier, as expected: AuthenticationError) async {
        await #expect(throws: expected) { try await verifier.verify(token) }
    }

    @Test("a valid HS256 token yields its principal")
    func valid() async throws {
        let verifier = try await verifier(TokenFixtures.settings(secret: secret))
        let token = try await TokenFixtures.hs256(TokenFixtures.claims(role: .deployer), secret: secret)
        let principal = try await verifier.verify(token)
        #expect(principal.subject == "alice")
        #expect(principal.role == .deployer)
        #expect(principal.expiresAt == TokenFixtures.now + 3600)
    }

    @Test("alg: none is rejected, signed or not")
    func algNone() async throws {
        let verifier = try await verifier(TokenFixtures.settings(secret: secret))
        let unsigned = TokenFixtures.handRolled(header: #"{"alg":"none","typ":"JWT"}"#, payload: TokenFixtures.payloadJSON(), hmacKey: nil)
        await expectRejected(unsigned, by: verifier, as: .malformed)
        let noneWithSignature = TokenFixtures.handRolled(
            header: #"{"alg":"none","typ":"JWT"}"#, payload: TokenFixtures.payloadJSON(), hmacKey: Array(secret.utf8))
        await expectRejected(noneWithSignature, by: verifier, as: .algorithmRejected)
        let noneUpper = TokenFixtures.handRolled(header: #"{"alg":"NONE"}"#, payload: TokenFixtures.payloadJSON(), hmacKey: Array(secret.utf8))
        await expectRejected(noneUpper, by: verifier, as: .algorithmRejected)
    }

    @Test("HS256 signed with the public key of an ES256 deployment is rejected")
    func confusionES256() async throws {
        let privateKey = P256.Signing.PrivateKey()
        let publicPEM = privateKey.publicKey.pemRepresentation
        let verifier = try await verifier(
            AuthSettings(
                algorithm: .es256, publicKeyPEM: publicPEM, issuer: TokenFixtures.issuer, audience: TokenFixtures.audience))
        let forged = TokenFixtures.handRolled(
            header: #"{"alg":"HS256","typ":"JWT"}"#, payload: TokenFixtures.payloadJSON(), hmacKey: Array(publicPEM.utf8))
        await expectRejected(forged, by: verifier, as: .algorithmRejected)

        // The genuine ES256 token for the same deployment is accepted.
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: try ES256PrivateKey(pem: privateKey.pemRepresentation))
        let genuine = try await keys.sign(TokenFixtures.claims())
        #expect(try await verifier.verify(genuine).subject == "alice")
    }

    @Test("HS256 signed with the public key of an RS256 deployment is rejected")
    func confusionRS256() async throws {
        let privatePEM = try Self.rsaPrivateKeyPEM()
        let rsa = try Insecure.RSA.PrivateKey(pem: privatePEM)
        let publicPEM = try rsa.publicKey.pemRepresentation
        let verifier = try await verifier(
            AuthSettings(
                algorithm: .rs256, publicKeyPEM: publicPEM, issuer: TokenFixtures.issuer, audience: TokenFixtures.audience))
        let forged = TokenFixtures.handRolled(
            header: #"{"alg":"HS256","typ":"JWT"}"#, payload: TokenFixtures.payloadJSON(), hmacKey: Array(publicPEM.utf8))
        await expectRejected(forged, by: verifier, as: .algorithmRejected)

        let keys = JWTKeyCollection()
        await keys.add(rsa: rsa, digestAlgorithm: .sha256)
        #expect(try await verifier.verify(try await keys.sign(TokenFixtures.claims())).role == .admin)
    }

    @Test("an expired token is rejected; within the leeway it is accepted")
    func expiry() async throws {
        let verifier = try await verifier(TokenFixtures.settings(secret: secret))
        let expired = try await TokenFixtures.hs256(TokenFixtures.claims(exp: TokenFixtures.now - 31), secret: secret)
        await expectRejected(expired, by: verifier, as: .expired)
        let justExpired = try await TokenFixtures.hs256(TokenFixtures.claims(exp: TokenFixtures.now - 29), secret: secret)
        #expect(try await verifier.verify(justExpired).subject == "alice")
    }

    @Test("nbf in the future beyond the leeway is rejected; within it is accepted")
    func notBefore() async throws {
        let verifier = try await verifier(TokenFixtures.settings(secret: secret))
        let future = try await TokenFixtures.hs256(TokenFixtures.claims(nbf: TokenFixtures.now + 31), secret: secret)
        await expectRejected(future, by: verifier, as: .notYetValid)
        let nearFuture = try await TokenFixtures.hs256(TokenFixtures.claims(nbf: TokenFixtures.now + 29), secret: secret)
        #expect(try await verifier.verify(nearFuture).subject == "alice")
    }

    @Test("a wrong issuer or audience is rejected")
    func issuerAndAudience() async throws {
        let verifier = try await verifier(TokenFixtures.settings(secret: secret))
        await expectRejected(try await TokenFixtures.hs256(TokenFixtures.claims(iss: "someone-else"), secret: secret), by: verifier, as: .wrongIssuer)
        await expectRejected(try await TokenFixtures.hs256(TokenFixtures.claims(aud: "other-api"), secret: secret), by: verifier, as: .wrongAudience)
    }

    @Test("an unknown or hostile kid is rejected, never falling back to the default key")
    func unknownKid() async throws {
        let verifier = try await verifier(TokenFixtures.settings(secret: secret))
        // Signed with the right secret but naming a kid the server does not know.
        let unknown = try await TokenFixtures.hs256(TokenFixtures.claims(), secret: secret, kid: "rotated-away")
        await expectRejected(unknown, by: verifier, as: .unknownKey)
        for hostile in ["../../etc/passwd", String(repeating: "k", count: 4096), "' OR 1=1 --", ""] {
            let header = #"{"alg":"HS256","kid":"\#(hostile)"}"#
            let token = TokenFixtures.handRolled(header: header, payload: TokenFixtures.payloadJSON(), hmacKey: Array(secret.utf8))
            await #expect(throws: AuthenticationError.self) { try await verifier.verify(token) }
        }
    }

    @Test("with a configured kid, tokens must name it")
    func configuredKid() async throws {
        let verifier = try await verifier(TokenFixtures.settings(secret: secret, keyID: "k1"))
        let named = try await TokenFixtures.hs256(TokenFixtures.claims(), secret: secret, kid: "k1")
        #expect(try await verifier.verify(named).subject == "alice")
        let other = try await TokenFixtures.hs256(TokenFixtures.claims(), secret: secret, kid: "k2")
        await expectRejected(other, by: verifier, as: .unknownKey)
        let unnamed = try await TokenFixtures.hs256(TokenFixtures.claims(), secret: secret)
        await expectRejected(unnamed, by: verifier, as: .unknownKey)
    }

    @Test("a tampered payload fails the signature check")
    func tampered() async throws {
        let verifier = try await verifier(TokenFixtures.settings(secret: secret))
        let token = try await TokenFixtures.hs256(TokenFixtures.claims(role: .viewer), secret: secret)
        let parts = token.split(separator: ".").map(String.init)
        let escalated = TokenFixtures.base64URL(Data(TokenFixtures.payloadJSON().utf8))
        await expectRejected([parts[0], escalated, parts[2]].joined(separator: "."), by: verifier, as: .badSignature)
        let otherSecret = try await TokenFixtures.hs256(TokenFixtures.claims(), secret: TokenFixtures.secret())
        await expectRejected(otherSecret, by: verifier, as: .badSignature)
    }

    @Test("garbage and oversized tokens are malformed", arguments: ["", "abc", "a.b", "a.b.c.d", "....", String(repeating: "x", count: 9000)])
    func garbage(token: String) async throws {
        let verifier = try await verifier(TokenFixtures.settings(secret: secret))
        await #expect(throws: AuthenticationError.self) { try await verifier.verify(token) }
    }

    @Test("an unknown role or an agent without a node is rejected")
    func badClaims() async throws {
        let verifier = try await verifier(TokenFixtures.settings(secret: secret))
        var claims = TokenFixtures.claims()
        claims.role = "root"
        await expectRejected(try await TokenFixtures.hs256(claims, secret: secret), by: verifier, as: .badClaims)
        await expectRejected(try await TokenFixtures.hs256(TokenFixtures.claims(role: .agent), secret: secret), by: verifier, as: .badClaims)
        let agent = try await TokenFixtures.hs256(TokenFixtures.claims(role: .agent, node: "edge-1"), secret: secret)
        #expect(try await verifier.verify(agent).nodeID == "edge-1")
    }

    @Test("JWKS keys verify tokens with their own kid and algorithm only")
    func jwks() async throws {
        let privateKey = P256.Signing.PrivateKey()
        let x = TokenFixtures.base64URL(privateKey.publicKey.x963Representation.dropFirst().prefix(32))
        let y = TokenFixtures.base64URL(privateKey.publicKey.x963Representation.dropFirst().suffix(32))
        let document = #"{"keys":[{"kty":"EC","crv":"P-256","kid":"remote-1","alg":"ES256","x":"\#(x)","y":"\#(y)"}]}"#
        let verifier = try await verifier(TokenFixtures.settings(secret: secret))
        await verifier.keyRing.replaceRemoteKeys(try await KeyLoading.keys(fromJWKS: document))

        let keys = JWTKeyCollection()
        await keys.add(ecdsa: try ES256PrivateKey(pem: privateKey.pemRepresentation), kid: "remote-1")
        let token = try await keys.sign(TokenFixtures.claims(), kid: "remote-1")
        #expect(try await verifier.verify(token).subject == "alice")

        // An HS256 token naming the remote kid is refused: that key is pinned to ES256.
        let confused = try await TokenFixtures.hs256(TokenFixtures.claims(), secret: secret, kid: "remote-1")
        await expectRejected(confused, by: verifier, as: .algorithmRejected)
        // The local key still verifies tokens without a kid.
        #expect(try await verifier.verify(try await TokenFixtures.hs256(TokenFixtures.claims(), secret: secret)).role == .admin)
    }

    @Test("issued tokens verify and carry the requested role and lifetime")
    func issueRoundTrip() async throws {
        let settings = TokenFixtures.settings(secret: secret)
        let issuer = try await TokenIssuer.make(settings: settings, now: { TokenFixtures.now })
        let token = try await issuer.issue(subject: "ci-bot", role: .deployer, ttlSeconds: 600)
        let principal = try await verifier(settings).verify(token)
        #expect(principal.subject == "ci-bot")
        #expect(principal.role == .deployer)
        #expect(principal.expiresAt == TokenFixtures.now + 600)
    }

    @Test("short secrets and missing PEM keys are refused, naming the key")
    func badKeyMaterial() async throws {
        await #expect(throws: InvalidKeyMaterialError.self) {
            try await TokenVerifier.make(settings: AuthSettings(algorithm: .hs256, secret: "short"))
        }
        do {
            _ = try await TokenVerifier.make(settings: AuthSettings(algorithm: .es256))
            Issue.record("ES256 without a key must fail")
        } catch let error as InvalidKeyMaterialError {
            #expect(error.key == "auth.jwt.publicKeyPath")
        }
    }

    /// A 2048-bit RSA key generated with openssl for this run.
    static func rsaPrivateKeyPEM() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("rsa.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return try String(contentsOfFile: path, encoding: .utf8)
    }
}
