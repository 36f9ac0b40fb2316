import Crypto
import Foundation
import JWTKit
import OrchestratorDomain

@testable import OrchestratorAuth

/// Builds keys and raw tokens for the verifier tests. All key material is generated per run.
enum TokenFixtures {
    static let issuer = "wasm-orchestrator"
    static let audience = "wasm-orchestrator"
    static let now: Double = 1_800_000_000

    static func secret() -> String {
        (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    static func settings(secret: String, keyID: String? = nil) -> AuthSettings {
        AuthSettings(algorithm: .hs256, secret: secret, keyID: keyID, issuer: issuer, audience: audience, leewaySeconds: 30)
    }

    static func claims(
        role: Role = .admin, iss: String = issuer, aud: String = audience,
        exp: Double = now + 3600, nbf: Double? = nil, node: String? = nil, iat: Double = now, subject: String = "alice",
        tokenID: String? = "jti-1", actors: [String] = []
    ) -> TokenClaims {
        TokenClaims(
            subject: subject, role: role, node: node, issuer: iss, audience: aud, issuedAt: iat, expiresAt: exp, notBefore: nbf,
            tokenID: tokenID, actors: actors)
    }

    /// Signs arbitrary claims with an HS256 secret, optionally with a chosen header.
    static func hs256(_ claims: TokenClaims, secret: String, kid: String? = nil) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: kid.map { JWKIdentifier(string: $0) })
        return try await keys.sign(claims, kid: kid.map { JWKIdentifier(string: $0) })
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A token with a hand-written header and payload and an HMAC-SHA256 signature over them
    /// with `key` (used for algorithm-confusion and `alg: none` tokens).
    static func handRolled(header: String, payload: String, hmacKey: [UInt8]?) -> String {
        let signingInput = base64URL(Data(header.utf8)) + "." + base64URL(Data(payload.utf8))
        guard let hmacKey else { return signingInput + "." }
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: hmacKey))
        return signingInput + "." + base64URL(Data(mac))
    }

    static func payloadJSON(exp: Double = now + 3600) -> String {
        #"{"sub":"mallory","role":"admin","iss":"\#(issuer)","aud":["\#(audience)"],"exp":\#(Int(exp))}"#
    }
}
