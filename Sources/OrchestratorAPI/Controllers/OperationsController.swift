import Hummingbird

/// `/metrics` (Prometheus text) and `/openapi.yaml`. Public, like the health probes:
/// scrapers and API tooling carry no token. Restrict them at the network edge if needed.
struct OperationsController {
    let environment: APIEnvironment

    func register(on router: Router<OrchestratorRequestContext>) {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: environment.renderMetrics())))
        }
        router.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/yaml"],
                body: .init(byteBuffer: ByteBuffer(string: environment.openAPIDocument)))
        }
    }
}
