import CoreMetrics
import Deployments
import EdgeFleet
import ModuleRegistry
import Notifications
import Operations
import OrchestratorAuth

/// What `buildRouter` hands out: the use cases, and the HTTP-only pieces the
/// middleware and a few routes need. It holds no port: every read and write
/// goes through a use case. Each controller receives only what it serves.
public struct APIEnvironment: Sendable {
    /// The module registry use cases (upload, read, download, lifecycle).
    public var registry: ModuleRegistry
    /// Edge nodes and the agent protocol.
    public var nodes: NodeService
    /// The deployment workflow.
    public var deployments: DeploymentService
    /// Reading the audit log and recording audit events of token minting.
    public var auditLog: AuditLog
    /// Dependency pings for `/health/ready` and the schema gate.
    public var readiness: Readiness
    /// `Idempotency-Key` claims for write routes.
    public var idempotencyKeys: IdempotencyKeys
    /// How module content downloads answer.
    public var downloads: DownloadPolicy

    /// Verifies bearer tokens (the authentication middleware) and bounds minted lifetimes.
    public var verifier: TokenVerifier
    /// Signs tokens minted through the API; `nil` when the server only verifies (JWKS / public key only).
    public var issuer: TokenIssuer?
    /// Token revocation (`DELETE /auth/tokens/{jti}`); feeds the verifier's in-memory list.
    public var revocations: TokenRevocations
    /// Reported by `/health` and `/health/ready`.
    public var version: String
    /// Start of this process, for `uptime`.
    public var startedAt: ContinuousClock.Instant
    /// The OpenAPI document served at `/openapi.yaml`, also the list of declared routes (405).
    public var openAPIDocument: String
    /// Renders the Prometheus exposition text for `/metrics`.
    public var renderMetrics: @Sendable () -> String
    /// The server's metrics factory, for the HTTP request and rate-limit counters (the same registry `renderMetrics` shows).
    public var metrics: any MetricsFactory
    /// Limit for JSON request bodies.
    public var maxBodyBytes: Int
    /// Token buckets per principal and source address; `nil` when rate limiting is off.
    public var rateLimiter: RateLimiter?
    /// The web console's static files by path below `/console/` (``ConsoleController``); empty serves no console.
    public var consoleFiles: [String: String]
    /// The event bus behind `GET /events`.
    public var events: EventBus

    public init(
        registry: ModuleRegistry, nodes: NodeService, deployments: DeploymentService, auditLog: AuditLog, readiness: Readiness,
        idempotencyKeys: IdempotencyKeys, downloads: DownloadPolicy = DownloadPolicy(), verifier: TokenVerifier, issuer: TokenIssuer?,
        revocations: TokenRevocations, version: String, startedAt: ContinuousClock.Instant, openAPIDocument: String,
        renderMetrics: @escaping @Sendable () -> String, metrics: any MetricsFactory, maxBodyBytes: Int, rateLimiter: RateLimiter? = nil,
        consoleFiles: [String: String] = [:], events: EventBus
    ) {
        self.consoleFiles = consoleFiles
        self.events = events
        self.registry = registry
        self.nodes = nodes
        self.deployments = deployments
        self.auditLog = auditLog
        self.readiness = readiness
        self.idempotencyKeys = idempotencyKeys
        self.downloads = downloads
        self.verifier = verifier
        self.issuer = issuer
        self.revocations = revocations
        self.version = version
        self.startedAt = startedAt
        self.openAPIDocument = openAPIDocument
        self.renderMetrics = renderMetrics
        self.metrics = metrics
        self.maxBodyBytes = maxBodyBytes
        self.rateLimiter = rateLimiter
    }
}
