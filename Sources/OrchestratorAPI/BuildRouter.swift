import EdgeFleet
import Hummingbird
import Operations
import OrchestratorAuth

/// The single place where routes and middleware are wired.
///
/// Middleware order (outermost first): request id → metrics → problem
/// translation → 405 for undeclared methods → `100 Continue` on first body read → (per API group) schema gate → per-address rate limit →
/// bearer authentication → per-principal rate limit → handler (see `docs/rate-limits.md`). Each handler
/// authorizes its caller first; write handlers then go through ``IdempotentWrites``, so no
/// body is buffered and nothing is stored for a caller the route refuses.
///
/// Each controller gets only the use cases it serves and contributes its routes as a `RouteCollection`.
public func buildRouter(environment: APIEnvironment) -> Router<OrchestratorRequestContext> {
    let router = Router(context: OrchestratorRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: RequestMetricsMiddleware(factory: environment.metrics))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: MethodNotAllowedMiddleware(routes: DeclaredRoutes(openAPIDocument: environment.openAPIDocument)))
    router.add(middleware: ExpectContinueMiddleware())

    router.addRoutes(HealthController(readiness: environment.readiness, version: environment.version, startedAt: environment.startedAt).endpoints)
    router.addRoutes(OperationsController(openAPIDocument: environment.openAPIDocument, renderMetrics: environment.renderMetrics).endpoints)
    router.addRoutes(ConsoleController(assets: ConsoleAssets(files: environment.consoleFiles)).endpoints)

    let readiness = environment.readiness
    let refusals = RateLimitRefusals(factory: environment.metrics)
    let idempotency = IdempotentWrites(keys: environment.idempotencyKeys)
    let api = router.group("/api/v1/wasm")
        .add(middleware: SchemaGateMiddleware(isReady: { readiness.schemaIsReady }, dependency: readiness.metadataName))
        .add(middleware: AddressRateLimitMiddleware(limiter: environment.rateLimiter, refusals: refusals))
        .add(middleware: BearerAuthMiddleware(verifier: environment.verifier, nodeCredentials: environment.nodes.credentials))
        .add(middleware: PrincipalRateLimitMiddleware(limiter: environment.rateLimiter, refusals: refusals))
    api.addRoutes(
        AuthController(
            issuer: environment.issuer, revocations: environment.revocations, auditLog: environment.auditLog,
            maxLifetimeSeconds: environment.verifier.settings.maxLifetimeSeconds, maxBodyBytes: environment.maxBodyBytes
        ).endpoints)
    api.addRoutes(
        ModulesController(
            registry: environment.registry, nodes: environment.nodes, downloads: environment.downloads, idempotency: idempotency
        ).endpoints)
    api.addRoutes(NodesController(nodes: environment.nodes, idempotency: idempotency).endpoints)
    api.addRoutes(DeploymentsController(deployments: environment.deployments, idempotency: idempotency).endpoints)
    api.addRoutes(ReleasesController(deployments: environment.deployments).endpoints)
    api.addRoutes(AuditController(auditLog: environment.auditLog).endpoints)
    api.addRoutes(EventsController(events: environment.events).endpoints)
    return router
}
