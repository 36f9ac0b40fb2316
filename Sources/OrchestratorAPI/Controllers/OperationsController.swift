import Hummingbird

/// `/metrics` (Prometheus text) and `/openapi.yaml`. Public, like the health probes:
/// scrapers and API tooling carry no token. Restrict them at the network edge if needed.
struct OperationsController {
    let openAPIDocument: String
    let renderMetrics: @Sendable () -> String

    var endpoints: RouteCollection<OrchestratorRequestContext> {
        let routes = RouteCollection(context: OrchestratorRequestContext.self)
        routes.get("/metrics") { [renderMetrics] _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: renderMetrics())))
        }
        routes.get("/openapi.yaml") { [openAPIDocument] _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/yaml"],
                body: .init(byteBuffer: ByteBuffer(string: openAPIDocument)))
        }
        return routes
    }
}
