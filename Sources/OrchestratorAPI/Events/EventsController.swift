import HTTPTypes
import Hummingbird
import NIOCore
import Notifications
import OrchestratorDomain
import ServiceLifecycle

/// `GET /api/v1/wasm/events`: the server-sent event stream of deployment and node events (`docs/notifications.md`).
///
/// The caller is authorized (viewer, deployer, admin) and the query checked before anything is subscribed. The body
/// writes a `: keep-alive` comment at once (so clients see the stream open) and then every keep-alive interval; it ends
/// when the server shuts down, after `maxSeconds`, or when a write fails because the client went away, and the
/// subscription is released with it.
struct EventsController {
    let events: EventBus
    static let maxSecondsLimit = 86_400

    var endpoints: RouteCollection<OrchestratorRequestContext> {
        let routes = RouteCollection(context: OrchestratorRequestContext.self)
        routes.get("/events", use: stream)
        return routes
    }

    @Sendable func stream(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let principal = try context.authorize(.readFleet)
        let filter = try Self.filter(request.uri.queryParameters.get("types"))
        let maxSeconds = try Self.maxSeconds(request.uri.queryParameters.get("maxSeconds"))
        let subscription: EventSubscription
        do {
            subscription = try events.subscribe(holder: principal.subject, filter: filter)
        } catch let refusal as EventStreamRefusal {
            throw Self.apiError(refusal)
        }
        let keepAlive = events.limits.keepAlive
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                defer { subscription.close() }
                // A held stream would keep the server's graceful shutdown waiting: end it when shutdown begins.
                try await withGracefulShutdownHandler {
                    try await Self.write(subscription, to: &writer, keepAlive: keepAlive, maxSeconds: maxSeconds)
                } onGracefulShutdown: {
                    subscription.close()
                }
                try await writer.finish(nil)
            })
    }

    /// Writes events and keep-alives until the stream ends (shutdown, `maxSeconds`) or a write fails (client gone).
    private static func write(
        _ subscription: EventSubscription, to writer: inout any ResponseBodyWriter, keepAlive: Duration, maxSeconds: Int?
    ) async throws {
        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let end = maxSeconds.map { ContinuousClock.now + .seconds($0) }
                while !Task.isCancelled {
                    let wait = end.map { min(keepAlive, $0 - ContinuousClock.now) } ?? keepAlive
                    do { try await Task.sleep(for: max(wait, .zero)) } catch { return }
                    if let end, ContinuousClock.now >= end {
                        subscription.close()
                        return
                    }
                    subscription.tick()
                }
            }
            defer { group.cancelAll() }
            for await item in subscription.events {
                switch item {
                case .event(let event): try await writer.write(ByteBuffer(string: event.frame))
                case .keepAlive: try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                }
            }
        }
    }

    /// `types`: a comma list of short type prefixes (`deployment`, `node`, `deployment.completed`); each must begin some type.
    static func filter(_ text: String?) throws -> [String] {
        guard let text else { return [] }
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard names.count <= 20, names.allSatisfy({ name in !name.isEmpty && EventType.all.contains { $0.shortName.hasPrefix(name) } }) else {
            throw APIError.badRequest(
                detail: "'types' must be a comma list of up to 20 event type prefixes such as deployment, node or deployment.completed")
        }
        return names
    }

    static func maxSeconds(_ text: String?) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), (1...maxSecondsLimit).contains(value) else {
            throw APIError.badRequest(detail: "'maxSeconds' must be an integer from 1 to \(maxSecondsLimit)")
        }
        return value
    }

    static func apiError(_ refusal: EventStreamRefusal) -> APIError {
        var headers = HTTPFields()
        headers[.retryAfter] = "5"
        switch refusal {
        case .tooManyForPrincipal(let limit):
            return APIError(
                status: .tooManyRequests, slug: "too-many-streams",
                detail: "this caller already has \(limit) open event streams; close one first", headers: headers)
        case .tooManyStreams(let limit):
            return APIError(
                status: .serviceUnavailable, slug: "too-many-streams",
                detail: "this server already serves \(limit) event streams; retry later or on another replica", headers: headers)
        case .shuttingDown:
            return APIError(
                status: .serviceUnavailable, slug: "too-many-streams", detail: "the server is shutting down; retry later", headers: headers)
        }
    }
}
