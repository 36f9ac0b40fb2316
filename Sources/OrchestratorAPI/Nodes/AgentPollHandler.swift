import EdgeFleet
import Foundation
import HTTPTypes
import Hummingbird
import OrchestratorDomain
import ServiceLifecycle

/// `GET /nodes/{id}/desired-state`: strong ETag, `If-None-Match` → 304, and
/// long-poll with `?wait=30s` (capped) that answers as soon as the node's
/// desired state changes on any replica. A held request is a suspended
/// task, not a thread.
struct AgentPollHandler {
    let nodes: NodeService
    static let pollAfterHeader = HTTPField.Name("X-Poll-After-Seconds")!

    func register(on group: RouteCollection<OrchestratorRequestContext>) {
        group.get("/nodes/:id/desired-state", use: poll)
    }

    @Sendable func poll(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let id = try NodesController.nodeID(context)
        let principal = try context.requirePrincipal()
        if principal.role == .agent {
            _ = try await NodesController.admittedAgent(context, nodes: nodes)
        } else {
            _ = try NodesController.readableNode(context)
            _ = try await nodes.node(id)
        }
        let wait = try Self.waitDuration(request.uri.queryParameters.get("wait"), max: nodes.settings.maxWaitSeconds)
        let holder = principal.callerKey
        let hub = nodes.desiredState
        let deadline = ContinuousClock.now + wait
        var current: DesiredStateHub.Snapshot
        while true {
            let counter = hub.changeCounter(of: id)
            let snapshot = try await hub.snapshot(for: id)
            current = snapshot
            if !request.ifNoneMatch(snapshot.etag) {
                return try answer(snapshot, id: id, request: request, context: context)
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero, !Task.isShuttingDownGracefully else { break }
            // A server shutting down gracefully releases held polls at once (answering 304)
            // instead of waiting out their `wait`.
            // A poll the hub would not hold (its caller holds too many, or a newer poll of the
            // node took its place) is answered at once.
            let held = await cancelWhenGracefulShutdown { await hub.waitForChange(of: id, since: counter, timeout: remaining, holder: holder) }
            guard held == true else { break }
        }
        return Response(
            status: .notModified,
            headers: [
                .eTag: current.etag,
                Self.pollAfterHeader: String(nodes.pollAfterSeconds()),
            ])
    }

    private func answer(_ snapshot: DesiredStateHub.Snapshot, id: NodeID, request: Request, context: OrchestratorRequestContext) throws -> Response {
        let poll = nodes.pollAfterSeconds()
        let body = DesiredStateBody(
            nodeId: id.value, revision: String(snapshot.etag.dropFirst().dropLast()),
            modules: snapshot.modules.map(DesiredStateBody.Module.init), pollAfterSeconds: poll)
        var response = try body.response(from: request, context: context)
        response.headers[.eTag] = snapshot.etag
        response.headers[.cacheControl] = "no-cache"
        response.headers[Self.pollAfterHeader] = String(poll)
        return response
    }

    /// `wait` as `30s`, `30`, `1m`; `0` means answer at once. Capped at `max`.
    static func waitDuration(_ text: String?, max: Double) throws -> Duration {
        guard let text, !text.isEmpty, text != "0", text != "0s" else { return .zero }
        guard let seconds = DurationText.seconds(text), seconds <= 3600 else {
            throw APIError.badRequest(detail: "'wait' must be a number of seconds such as 30s (at most \(Int(max)) are honoured)")
        }
        return .milliseconds(Int64(min(Double(seconds), max) * 1000))
    }

}
