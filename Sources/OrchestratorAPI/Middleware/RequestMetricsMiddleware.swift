import CoreMetrics
import Hummingbird
import Metrics
import NIOConcurrencyHelpers

/// Counts requests and times them, labelled by **route template** (never the
/// raw path), method and status.
///
/// Exposed as `http_requests_total` and `http_request_duration_seconds`.
/// Requests no route matched carry Hummingbird's `NotFound` template (or
/// `unmatched` if none is set), so scanners cannot blow up the label space.
/// Metric handles are created once per label set and reused: creating them
/// per request (a registry lookup with fresh label strings) cost more than
/// many handlers do.
public struct RequestMetricsMiddleware: RouterMiddleware {
    public typealias Context = OrchestratorRequestContext

    private struct CounterKey: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    private struct TimerKey: Hashable {
        let method: String
        let route: String
    }

    private let counters = NIOLockedValueBox<[CounterKey: Counter]>([:])
    private let timers = NIOLockedValueBox<[TimerKey: Metrics.Timer]>([:])

    private let factory: any MetricsFactory

    /// - Parameter factory: the server's metrics factory.
    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        counter(CounterKey(method: method, route: route, status: Int(response.status.code))).increment()
        timer(TimerKey(method: method, route: route)).record(duration: ContinuousClock.now - start)
        return response
    }

    private func counter(_ key: CounterKey) -> Counter {
        counters.withLockedValue { counters in
            if let existing = counters[key] { return existing }
            let created = Counter(
                label: "http_requests_total", dimensions: [("method", key.method), ("route", key.route), ("status", String(key.status))],
                factory: factory)
            counters[key] = created
            return created
        }
    }

    private func timer(_ key: TimerKey) -> Metrics.Timer {
        timers.withLockedValue { timers in
            if let existing = timers[key] { return existing }
            let created = Metrics.Timer(
                label: "http_request_duration_seconds", dimensions: [("method", key.method), ("route", key.route)], factory: factory)
            timers[key] = created
            return created
        }
    }
}
