import Hummingbird
import Metrics

/// Counts requests and times them, labelled by **route template** (never the
/// raw path), method and status.
///
/// Exposed as `http_requests_total` and `http_request_duration_seconds`.
/// Requests no route matched carry Hummingbird's `NotFound` template (or
/// `unmatched` if none is set), so scanners cannot blow up the label space.
public struct RequestMetricsMiddleware: RouterMiddleware {
    public typealias Context = OrchestratorRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        Counter(label: "http_requests_total", dimensions: [("method", method), ("route", route), ("status", String(response.status.code))])
            .increment()
        Metrics.Timer(label: "http_request_duration_seconds", dimensions: [("method", method), ("route", route)])
            .record(duration: ContinuousClock.now - start)
        return response
    }
}
