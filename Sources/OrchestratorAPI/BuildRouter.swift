import EdgeFleet
import Hummingbird
import OrchestratorPorts

/// The single place where routes and middleware are wired.
///
/// Middleware order (outermost first): request id → metrics → problem
/// translation → 405 for undeclared methods → `100 Continue` on first body read → (per API group) schema gate → per-address rate limit →
/// bearer authentication → per-principal rate limit → handler (see `docs/rate-limits.md`). Each handler
/// authorizes its caller first; write handlers then go through ``IdempotentWrites``, so no
/// body is buffered and nothing is stored for a caller the route refuses.
public func buildRouter(environment: APIEnvironment) -> Router<OrchestratorRequestContext> {
    let router = Router(context: OrchestratorRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: RequestMetricsMiddleware())
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: MethodNotAllowedMiddleware(routes: DeclaredRoutes(openAPIDocument: environment.openAPIDocument)))
    router.add(middleware: ExpectContinueMiddleware())

    HealthController(environment: environment).register(on: router)
    OperationsController(environment: environment).register(on: router)

    let api = router.group("/api/v1/wasm")
        .add(middleware: SchemaGateMiddleware(isReady: environment.isSchemaReady, dependency: environment.metadata.healthName))
        .add(middleware: AddressRateLimitMiddleware(limiter: environment.rateLimiter))
        .add(middleware: BearerAuthMiddleware(verifier: environment.verifier, nodeCredentials: environment.nodes.credentials))
        .add(middleware: PrincipalRateLimitMiddleware(limiter: environment.rateLimiter))
    AuthController(environment: environment).register(on: api)
    ModulesController(environment: environment).register(on: api)
    NodesController(environment: environment).register(on: api)
    DeploymentsController(environment: environment).register(on: api)
    AuditController(environment: environment).register(on: api)
    return router
}
