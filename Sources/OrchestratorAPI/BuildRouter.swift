import EdgeFleet
import Hummingbird
import OrchestratorPorts

/// The single place where routes and middleware are wired.
///
/// Middleware order (outermost first): request id → metrics → problem
/// translation → (per API group) schema gate → per-address rate limit → bearer authentication →
/// per-principal rate limit → idempotency keys → handler (see `docs/rate-limits.md`).
public func buildRouter(environment: APIEnvironment) -> Router<OrchestratorRequestContext> {
    let router = Router(context: OrchestratorRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: RequestMetricsMiddleware())
    router.add(middleware: ProblemMiddleware())

    HealthController(environment: environment).register(on: router)
    OperationsController(environment: environment).register(on: router)

    let api = router.group("/api/v1/wasm")
        .add(middleware: SchemaGateMiddleware(isReady: environment.isSchemaReady, dependency: environment.metadata.healthName))
        .add(middleware: AddressRateLimitMiddleware(limiter: environment.rateLimiter))
        .add(middleware: BearerAuthMiddleware(verifier: environment.verifier, nodeCredentials: environment.nodes.credentials))
        .add(middleware: PrincipalRateLimitMiddleware(limiter: environment.rateLimiter))
        .add(middleware: IdempotencyMiddleware(
            store: environment.metadata, ttlSeconds: environment.idempotencyTTLSeconds, maxBodyBytes: environment.maxBodyBytes,
            maxUploadBytes: environment.idempotencyMaxUploadBytes,
            now: environment.now))
    AuthController(environment: environment).register(on: api)
    ModulesController(environment: environment).register(on: api)
    NodesController(environment: environment).register(on: api)
    DeploymentsController(environment: environment).register(on: api)
    AuditController(environment: environment).register(on: api)
    return router
}
