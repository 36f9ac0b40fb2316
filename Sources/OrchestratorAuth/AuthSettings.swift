/// Key material and claim expectations for token verification and issuing.
///
/// Built from configuration by `OrchestratorConfig`; secrets never live in code.
public struct AuthSettings: Sendable {
    /// The algorithm the local key is pinned to.
    public var algorithm: TokenAlgorithm
    /// HS256 shared secret (at least 32 bytes).
    public var secret: String?
    /// PEM public key for ES256/RS256 verification.
    public var publicKeyPEM: String?
    /// PEM private key for ES256/RS256 issuing (`token issue`); optional on servers that only verify.
    public var privateKeyPEM: String?
    /// The `kid` of the local key; when set, tokens must carry it.
    public var keyID: String?
    /// A JWKS document URL whose keys are also trusted (each pinned to its own `alg`).
    public var jwksURL: String?
    /// How often the JWKS is fetched again.
    public var jwksRefreshSeconds: Int
    public var issuer: String
    public var audience: String
    /// Clock skew tolerated on `exp` and `nbf`.
    public var leewaySeconds: Int
    /// The longest `exp - iat` a token may have, for verified and issued tokens alike
    /// (`auth.jwt.maxLifetimeSeconds`). Also how long a revocation is kept at most.
    public var maxLifetimeSeconds: Int
    /// How far in the future an `iat` may lie (clock skew between issuer and server).
    public var issuedAtLeewaySeconds: Int
    /// Refuse tokens without `jti`: they could not be revoked individually.
    public var requireTokenID: Bool

    public init(
        algorithm: TokenAlgorithm = .hs256, secret: String? = nil, publicKeyPEM: String? = nil,
        privateKeyPEM: String? = nil, keyID: String? = nil, jwksURL: String? = nil, jwksRefreshSeconds: Int = 300,
        issuer: String = "wasm-orchestrator", audience: String = "wasm-orchestrator", leewaySeconds: Int = 30,
        maxLifetimeSeconds: Int = 2_592_000, issuedAtLeewaySeconds: Int = 60, requireTokenID: Bool = true
    ) {
        self.maxLifetimeSeconds = maxLifetimeSeconds
        self.issuedAtLeewaySeconds = issuedAtLeewaySeconds
        self.requireTokenID = requireTokenID
        self.algorithm = algorithm
        self.secret = secret
        self.publicKeyPEM = publicKeyPEM
        self.privateKeyPEM = privateKeyPEM
        self.keyID = keyID
        self.jwksURL = jwksURL
        self.jwksRefreshSeconds = jwksRefreshSeconds
        self.issuer = issuer
        self.audience = audience
        self.leewaySeconds = leewaySeconds
    }
}

/// Key material that cannot be used, named by the configuration key at fault.
public struct InvalidKeyMaterialError: Error, Sendable, CustomStringConvertible {
    public let key: String
    public let problem: String
    public var description: String { "\(key): \(problem)" }

    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }
}
