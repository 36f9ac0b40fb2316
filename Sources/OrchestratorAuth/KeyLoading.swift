import JWTKit

/// Turns configured key material into jwt-kit key collections.
enum KeyLoading {
    /// The key that verifies tokens, from a secret or a public key.
    static func verificationKey(_ settings: AuthSettings) async throws -> PinnedKey {
        let keys = JWTKeyCollection()
        switch settings.algorithm {
        case .hs256:
            await keys.add(hmac: HMACKey(from: try secret(settings)), digestAlgorithm: .sha256)
        case .es256:
            let pem = try pem(settings.publicKeyPEM ?? settings.privateKeyPEM, key: "auth.jwt.publicKeyPath")
            do {
                if settings.publicKeyPEM != nil {
                    await keys.add(ecdsa: try ES256PublicKey(pem: pem))
                } else {
                    await keys.add(ecdsa: try ES256PrivateKey(pem: pem).publicKey)
                }
            } catch {
                throw InvalidKeyMaterialError(key: "auth.jwt.publicKeyPath", problem: "not a P-256 PEM key")
            }
        case .rs256:
            let pem = try pem(settings.publicKeyPEM ?? settings.privateKeyPEM, key: "auth.jwt.publicKeyPath")
            do {
                if settings.publicKeyPEM != nil {
                    await keys.add(rsa: try Insecure.RSA.PublicKey(pem: pem), digestAlgorithm: .sha256)
                } else {
                    await keys.add(rsa: try Insecure.RSA.PrivateKey(pem: pem).publicKey, digestAlgorithm: .sha256)
                }
            } catch {
                throw InvalidKeyMaterialError(key: "auth.jwt.publicKeyPath", problem: "not an RSA PEM key of at least 2048 bits")
            }
        }
        return PinnedKey(algorithm: settings.algorithm, keys: keys)
    }

    /// The key that signs tokens (`token issue`, node credentials).
    static func signingKey(_ settings: AuthSettings) async throws -> JWTKeyCollection {
        let keys = JWTKeyCollection()
        let kid = settings.keyID.map { JWKIdentifier(string: $0) }
        switch settings.algorithm {
        case .hs256:
            await keys.add(hmac: HMACKey(from: try secret(settings)), digestAlgorithm: .sha256, kid: kid)
        case .es256:
            let pem = try pem(settings.privateKeyPEM, key: "auth.jwt.privateKeyPath")
            guard let key = try? ES256PrivateKey(pem: pem) else {
                throw InvalidKeyMaterialError(key: "auth.jwt.privateKeyPath", problem: "not a P-256 PEM private key")
            }
            await keys.add(ecdsa: key, kid: kid)
        case .rs256:
            let pem = try pem(settings.privateKeyPEM, key: "auth.jwt.privateKeyPath")
            guard let key = try? Insecure.RSA.PrivateKey(pem: pem) else {
                throw InvalidKeyMaterialError(key: "auth.jwt.privateKeyPath", problem: "not an RSA PEM private key")
            }
            await keys.add(rsa: key, digestAlgorithm: .sha256, kid: kid)
        }
        return keys
    }

    /// Keys from a JWKS document, each pinned to the algorithm it declares (or the
    /// only one its type allows here). Keys without a `kid` or of other types are skipped.
    static func keys(fromJWKS json: String) async throws -> [String: PinnedKey] {
        let jwks = try JSONDecoder().decode(JWKS.self, from: Data(json.utf8))
        var result: [String: PinnedKey] = [:]
        for jwk in jwks.keys {
            guard let kid = jwk.keyIdentifier?.string else { continue }
            let algorithm: TokenAlgorithm
            switch (jwk.keyType, jwk.algorithm) {
            case (.rsa, .rs256?), (.rsa, nil): algorithm = .rs256
            case (.ecdsa, .es256?), (.ecdsa, nil): algorithm = .es256
            default: continue
            }
            let keys = JWTKeyCollection()
            guard (try? await keys.add(jwk: jwk)) != nil else { continue }
            result[kid] = PinnedKey(algorithm: algorithm, keys: keys)
        }
        return result
    }

    private static func secret(_ settings: AuthSettings) throws -> String {
        guard let secret = settings.secret, secret.utf8.count >= 32 else {
            throw InvalidKeyMaterialError(key: "auth.jwt.secret", problem: "HS256 needs a secret of at least 32 bytes")
        }
        return secret
    }

    private static func pem(_ value: String?, key: String) throws -> String {
        guard let value, value.contains("-----BEGIN") else {
            throw InvalidKeyMaterialError(key: key, problem: "a PEM key is required for this algorithm")
        }
        return value
    }
}

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
