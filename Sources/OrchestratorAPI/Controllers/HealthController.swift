import Foundation
import Hummingbird
import Operations
import OrchestratorDomain

/// `/health` (liveness) and `/health/ready` (readiness). Public: probes carry no token.
struct HealthController {
    let readiness: Readiness
    /// Reported by `/health/ready`.
    let version: String
    /// Start of this process, for `uptime`.
    let startedAt: ContinuousClock.Instant

    var endpoints: RouteCollection<OrchestratorRequestContext> {
        let routes = RouteCollection(context: OrchestratorRequestContext.self)
        routes.get("/health") { _, _ in
            Self.json(["status": "Healthy"], status: .ok)
        }
        routes.get("/health/ready", use: ready)
        return routes
    }

    @Sendable func ready(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let checks = await readiness.check(logger: context.logger)
        let overall = ReadinessPolicy.overall(checks)
        let uptime = Int((ContinuousClock.now - startedAt).components.seconds)
        let report = ReadinessReport(
            status: overall.rawValue,
            dependencies: Dictionary(uniqueKeysWithValues: checks.map { ($0.name, $0.status.rawValue) }),
            version: version,
            uptime: ISO8601Duration.format(seconds: uptime))
        var response = Self.json(report, status: overall == .unhealthy ? .serviceUnavailable : .ok)
        if overall == .unhealthy { response.headers[.retryAfter] = "5" }
        return response
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
