import Foundation
import Hummingbird
import Operations
import OrchestratorDomain

/// `/health` (liveness) and `/health/ready` (readiness), both in seed 004's shape. Public: probes carry no token.
///
/// Liveness answers 200 whatever the dependencies' state, which it reads from the background
/// ``DependencyWatch`` without waiting on any; readiness pings them now and answers 503 when a
/// required one is down.
struct HealthController {
    let readiness: Readiness
    /// Reported by both endpoints.
    let version: String
    /// Start of this process, for `uptime`.
    let startedAt: ContinuousClock.Instant

    var endpoints: RouteCollection<OrchestratorRequestContext> {
        let routes = RouteCollection(context: OrchestratorRequestContext.self)
        routes.get("/health", use: live)
        routes.get("/health/ready", use: ready)
        return routes
    }

    @Sendable func live(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let checks = readiness.recentChecks()
        return Self.json(report(checks, overall: ReadinessPolicy.overall(checks)), status: .ok)
    }

    @Sendable func ready(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let checks = await readiness.check(logger: context.logger)
        let overall = ReadinessPolicy.overall(checks)
        var response = Self.json(report(checks, overall: overall), status: overall == .unhealthy ? .serviceUnavailable : .ok)
        if overall == .unhealthy { response.headers[.retryAfter] = "5" }
        return response
    }

    func report(_ checks: [DependencyCheck], overall: OverallStatus) -> ReadinessReport {
        ReadinessReport(
            status: overall.rawValue,
            dependencies: Dictionary(uniqueKeysWithValues: checks.map { ($0.name, $0.status.rawValue) }),
            version: version,
            uptime: ISO8601Duration.format(seconds: Int((ContinuousClock.now - startedAt).components.seconds)))
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
