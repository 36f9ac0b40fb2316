import Hummingbird

/// Answers 503 with `Retry-After` on API routes until the metadata schema is migrated.
///
/// Health, metrics and the OpenAPI document stay available meanwhile, so
/// probes can report *why* the instance is not ready.
struct SchemaGateMiddleware: RouterMiddleware {
    typealias Context = OrchestratorRequestContext
    let isReady: @Sendable () -> Bool
    let dependency: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard isReady() else { throw APIError.unavailable(dependency: dependency) }
        return try await next(request, context)
    }
}
