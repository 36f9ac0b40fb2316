import Foundation
import Hummingbird
import OrchestratorDomain

/// `/health` (liveness) and `/health/ready` (readiness). Public: probes carry no token.
struct HealthController {
    let environment: APIEnvironment

    func register(on router: Router<OrchestratorRequestContext>) {
        router.get("/health") { _, _ in
            Self.json(["status": "Healthy"], status: .ok)
        }
        router.get("/health/ready") { _, context in
            let checks = await ReadinessChecker(environment: environment).check(logger: context.logger)
            let overall = ReadinessPolicy.overall(checks)
            let uptime = Int((ContinuousClock.now - environment.startedAt).components.seconds)
            let report = ReadinessReport(
                status: overall.rawValue,
                dependencies: Dictionary(uniqueKeysWithValues: checks.map { ($0.name, $0.status.rawValue) }),
                version: environment.version,
                uptime: ISO8601Duration.format(seconds: uptime))
            var response = Self.json(report, status: overall == .unhealthy ? .serviceUnavailable : .ok)
            if overall == .unhealthy { response.headers[.retryAfter] = "5" }
            return response
        }
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
