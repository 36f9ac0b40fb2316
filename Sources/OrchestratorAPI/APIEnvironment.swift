import Deployments
import EdgeFleet
import ModuleRegistry
import OrchestratorAuth
import OrchestratorPorts

/// Everything the HTTP layer needs, injected once by `buildRouter`.
public struct APIEnvironment: Sendable {
    public var verifier: TokenVerifier
    /// Signs tokens minted through the API; `nil` when the server only verifies (JWKS / public key only).
    public var issuer: TokenIssuer?
    /// Token revocation (`DELETE /auth/tokens/{jti}`); feeds the verifier's in-memory list.
    public var revocations: TokenRevocations
    public var metadata: any MetadataStore
    public var cache: any CacheStore
    public var blobs: any BlobStore
    /// Reported by `/health/ready`.
    public var version: String
    /// Start of this process, for `uptime`.
    public var startedAt: ContinuousClock.Instant
    /// The OpenAPI document served at `/openapi.yaml`.
    public var openAPIDocument: String
    /// Renders the Prometheus exposition text for `/metrics`.
    public var renderMetrics: @Sendable () -> String
    /// Limit for JSON request bodies.
    public var maxBodyBytes: Int
    /// Seconds since 1970; injectable for tests.
    public var now: @Sendable () -> Double
    /// `true` once migrations have been applied; until then `/api` answers 503.
    public var isSchemaReady: @Sendable () -> Bool
    /// The module registry use cases (upload, lifecycle, gc).
    public var registry: ModuleRegistry
    /// How module content downloads answer.
    public var downloads: DownloadPolicy
    /// Edge nodes and the agent protocol.
    public var nodes: NodeService
    /// The deployment workflow and rollout engine.
    public var deployments: DeploymentService
    /// How long `Idempotency-Key` answers are kept.
    public var idempotencyTTLSeconds: Int

    /// `Idempotency-Key` handling, which write handlers call once they have authorized the caller.
    var idempotency: IdempotentWrites { IdempotentWrites(store: metadata, ttlSeconds: idempotencyTTLSeconds, now: now) }
    /// Token buckets per principal and source address; `nil` when rate limiting is off.
    public var rateLimiter: RateLimiter?

    public init(
        verifier: TokenVerifier, issuer: TokenIssuer?, revocations: TokenRevocations, metadata: any MetadataStore, cache: any CacheStore,
        blobs: any BlobStore, version: String, startedAt: ContinuousClock.Instant, openAPIDocument: String,
        renderMetrics: @escaping @Sendable () -> String, maxBodyBytes: Int, now: @escaping @Sendable () -> Double,
        isSchemaReady: @escaping @Sendable () -> Bool = { true }, registry: ModuleRegistry, downloads: DownloadPolicy = DownloadPolicy(),
        nodes: NodeService, deployments: DeploymentService, idempotencyTTLSeconds: Int = 86_400,
        rateLimiter: RateLimiter? = nil
    ) {
        self.rateLimiter = rateLimiter
        self.nodes = nodes
        self.deployments = deployments
        self.idempotencyTTLSeconds = idempotencyTTLSeconds
        self.verifier = verifier
        self.issuer = issuer
        self.revocations = revocations
        self.metadata = metadata
        self.cache = cache
        self.blobs = blobs
        self.version = version
        self.startedAt = startedAt
        self.openAPIDocument = openAPIDocument
        self.renderMetrics = renderMetrics
        self.maxBodyBytes = maxBodyBytes
        self.now = now
        self.isSchemaReady = isSchemaReady
        self.registry = registry
        self.downloads = downloads
    }
}

/// How `GET …/versions/{version}/content` answers.
public struct DownloadPolicy: Sendable {
    /// Answer `307` to a presigned URL when the blob store can make one; otherwise stream.
    public var redirect: Bool
    /// Lifetime of a presigned URL.
    public var presignSeconds: Int

    public init(redirect: Bool = false, presignSeconds: Int = 300) {
        self.redirect = redirect
        self.presignSeconds = presignSeconds
    }
}
