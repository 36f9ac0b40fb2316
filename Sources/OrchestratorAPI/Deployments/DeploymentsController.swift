import Deployments
import Foundation
import HTTPTypes
import Hummingbird
import OrchestratorDomain
import OrchestratorPorts  // DeploymentQuery

/// `/api/v1/wasm/deployments/...`: create, read, the approval workflow and
/// operating a rollout. Transitions honour `If-Match` (412) and answer with
/// the deployment and its new `ETag`.
struct DeploymentsController {
    let deployments: DeploymentService
    let idempotency: IdempotentWrites
    static let bodyLimit = 256 * 1024
    /// Transition bodies (`reason`, `comment`, `digest`) are small.
    static let transitionBodyLimit = 16 * 1024

    var endpoints: RouteCollection<OrchestratorRequestContext> {
        let group = RouteCollection(context: OrchestratorRequestContext.self)
        group.post("/deployments", use: create)
        group.get("/deployments", use: list)
        group.get("/deployments/:id", use: get)
        group.get("/deployments/:id/nodes", use: nodes)
        group.post("/deployments/:id/approve", use: approve)
        group.post("/deployments/:id/reject", use: reject)
        group.post("/deployments/:id/execute", use: execute)
        group.post("/deployments/:id/pause", use: pause)
        group.post("/deployments/:id/resume", use: resume)
        group.post("/deployments/:id/promote", use: promote)
        group.post("/deployments/:id/cancel", use: cancel)
        group.post("/deployments/:id/rollback", use: rollback)
        group.post("/deployments/:id/retry", use: retry)
        return group
    }

    // MARK: Create and read

    @Sendable func create(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let principal = try context.authorize(.deploy)
        if try request.booleanFlag("dryRun") == true { return try await preview(request, context: context) }
        return try await idempotency.respond(to: request, context: context, scope: .principal(principal), bodyLimit: Self.bodyLimit) { request in
            let body = try await request.decodeJSON(CreateDeploymentRequest.self, limit: Self.bodyLimit)
            let record = try await deployments.create(try body.spec(settings: deployments.settings), by: principal, requestID: context.requestID)
            var response = try await respond(record, request: request, context: context)
            response.status = .created
            response.headers[.location] = "/api/v1/wasm/deployments/\(record.id)"
            return response
        }
    }

    @Sendable func list(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let principal = try context.authorize(.readFleet)
        let listing = try ListingQuery(request, moduleFilters: false)
        let query = request.uri.queryParameters
        var filter = DeploymentQuery(limit: listing.limit)
        if let text = query.get("status") {
            guard let state = DeploymentState(rawValue: text) else {
                throw APIError.badRequest(detail: "'status' must be one of \(DeploymentState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.state = state
        }
        filter.moduleName = try request.textFilter("moduleName", max: 128)
        filter.environment = try request.textFilter("environment", max: 64)
        filter.createdBy = try request.textFilter("createdBy")
        if let cursor = try listing.decodeCursor(tag: "d") {
            guard let position = Int64(cursor) else { throw APIError.badRequest(detail: "'cursor' is not valid for this listing") }
            filter.beforePosition = position
        }
        let page = try await deployments.list(filter)
        let time = deployments.currentTime
        let items = page.items.map {
            DeploymentBody(
                $0, policy: deployments.policy(of: $0), nodes: nil, now: time, timeline: false,
                allowedActions: deployments.allowedActions($0, for: principal, nodes: nil))
        }
        return try ListBody(items: items, nextCursor: page.next.map { ListingQuery.encodeCursor(tag: "d", String($0)) })
            .response(request: request, context: context)
    }

    @Sendable func get(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        try context.authorize(.readFleet)
        let record = try await deployments.deployment(try context.pathParameter("id"))
        if request.ifNoneMatch(DeploymentBody.etag(record)) {
            return Response(
                status: .notModified, headers: [.eTag: DeploymentBody.etag(record), .cacheControl: Self.cacheControl, .vary: "Authorization"])
        }
        return try await respond(record, request: request, context: context)
    }

    @Sendable func nodes(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        try context.authorize(.readFleet)
        let id = try context.pathParameter("id")
        let listing = try ListingQuery(request, moduleFilters: false)
        var state: NodeRolloutState?
        if let text = request.uri.queryParameters.get("state") {
            guard let value = NodeRolloutState(rawValue: text) else {
                throw APIError.badRequest(detail: "'state' must be one of \(NodeRolloutState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            state = value
        }
        let after = try listing.decodeCursor(tag: "dn")
        let rows = try await deployments.nodes(of: id)
            .filter { (state == nil || $0.state == state) && (after == nil || $0.nodeID.value > after!) }
        let page = Array(rows.prefix(listing.limit))
        let next = rows.count > listing.limit ? page.last.map { ListingQuery.encodeCursor(tag: "dn", $0.nodeID.value) } : nil
        return try ListBody(items: page.map(DeploymentNodeBody.init), nextCursor: next).response(request: request, context: context)
    }

    // MARK: Transitions

    @Sendable func approve(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let principal = try context.authorize(DeploymentAction.approve.access)
        let id = try context.pathParameter("id")
        return try await idempotency.respond(to: request, context: context, scope: .principal(principal), bodyLimit: Self.transitionBodyLimit) {
            request in
            let body = try await Self.optionalBody(request, ApproveRequest.self) ?? ApproveRequest(comment: nil, digest: nil)
            let comment = try Self.text(body.comment, "comment", required: false)
            var digest: ContentDigest?
            if let text = body.digest {
                guard let parsed = ContentDigest(parsing: text) else {
                    throw APIError.badRequest(detail: "'digest' must be 'sha256:' and 64 hex digits")
                }
                digest = parsed
            }
            let record = try await deployments.approve(
                id, by: principal, comment: comment, reviewedDigest: digest, ifMatch: try Self.ifMatch(request), requestID: context.requestID)
            return try await respond(record, request: request, context: context)
        }
    }

    @Sendable func reject(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        // The approver role is checked by the workflow (it depends on the environment's policy).
        try await transition(request, context, needs: DeploymentAction.reject.access, reason: .required) {
            [deployments] id, principal, reason, ifMatch, requestID in
            try await deployments.reject(id, by: principal, reason: reason ?? "", ifMatch: ifMatch, requestID: requestID)
        }
    }

    @Sendable func execute(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let principal = try context.authorize(DeploymentAction.execute.access)
        let id = try context.pathParameter("id")
        return try await idempotency.respond(to: request, context: context, scope: .principal(principal), bodyLimit: Self.transitionBodyLimit) {
            request in
            let body = try await Self.optionalBody(request, ExecuteRequest.self)
            let note = try Self.text(body?.approvedBy, "approvedBy", required: false)
            let record = try await deployments.execute(
                id, by: principal, note: note, ifMatch: try Self.ifMatch(request), requestID: context.requestID)
            return try await respond(record, request: request, context: context)
        }
    }

    @Sendable func pause(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        try await transition(request, context, needs: DeploymentAction.pause.access, reason: .optional) {
            [deployments] id, principal, reason, ifMatch, requestID in
            try await deployments.pause(id, by: principal, reason: reason, ifMatch: ifMatch, requestID: requestID)
        }
    }

    @Sendable func resume(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        try await transition(request, context, needs: DeploymentAction.resume.access, reason: .none) {
            [deployments] id, principal, _, ifMatch, requestID in
            try await deployments.resume(id, by: principal, ifMatch: ifMatch, requestID: requestID)
        }
    }

    @Sendable func promote(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        try await transition(request, context, needs: DeploymentAction.promote.access, reason: .none) {
            [deployments] id, principal, _, ifMatch, requestID in
            try await deployments.promote(id, by: principal, ifMatch: ifMatch, requestID: requestID)
        }
    }

    @Sendable func cancel(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        // Creator or admin: checked by the workflow, which knows the creator.
        try await transition(request, context, needs: DeploymentAction.cancel.access, reason: .optional) {
            [deployments] id, principal, reason, ifMatch, requestID in
            try await deployments.cancel(id, by: principal, reason: reason, ifMatch: ifMatch, requestID: requestID)
        }
    }

    @Sendable func rollback(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        try await transition(request, context, needs: DeploymentAction.rollback.access, reason: .required) {
            [deployments] id, principal, reason, ifMatch, requestID in
            try await deployments.rollback(id, by: principal, reason: reason ?? "", ifMatch: ifMatch, requestID: requestID)
        }
    }

    /// `{"nodes": ["edge-1", …]}` (optional): retry those failed nodes; no body retries every failed one.
    @Sendable func retry(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let principal = try context.authorize(DeploymentAction.retry.access)
        let id = try context.pathParameter("id")
        return try await idempotency.respond(to: request, context: context, scope: .principal(principal), bodyLimit: Self.transitionBodyLimit) {
            request in
            let body = try await Self.optionalBody(request, RetryRequest.self)
            let names = body?.nodes ?? []
            guard names.count <= 100 else { throw APIError.badRequest(detail: "'nodes' names at most 100 nodes") }
            let nodes = try names.map { name -> NodeID in
                guard let id = NodeID(name) else { throw APIError.badRequest(detail: "'nodes' holds an invalid node id") }
                return id
            }
            let record = try await deployments.retry(
                id, nodes: nodes, by: principal, ifMatch: try Self.ifMatch(request), requestID: context.requestID)
            return try await respond(record, request: request, context: context)
        }
    }

    struct RetryRequest: Decodable {
        let nodes: [String]?
    }

    // MARK: Helpers

    enum ReasonRule { case none, optional, required }

    /// The shape every reason-taking or body-less transition shares: authorize, read the
    /// optional `{"reason"}`, honour `If-Match`, run, answer with the deployment and its ETag.
    private func transition(
        _ request: Request, _ context: OrchestratorRequestContext, needs action: Action, reason rule: ReasonRule,
        _ run:
            @Sendable (_ id: String, _ principal: Principal, _ reason: String?, _ ifMatch: Int?, _ requestID: String?) async throws ->
            DeploymentRecord
    ) async throws -> Response {
        let principal = try context.authorize(action)
        let id = try context.pathParameter("id")
        return try await idempotency.respond(to: request, context: context, scope: .principal(principal), bodyLimit: Self.transitionBodyLimit) {
            request in
            var reason: String?
            if rule != .none {
                reason = try Self.text(try await Self.optionalBody(request, ReasonRequest.self)?.reason, "reason", required: rule == .required)
            }
            let record = try await run(id, principal, reason, try Self.ifMatch(request), context.requestID)
            return try await respond(record, request: request, context: context)
        }
    }

    /// The deployment with progress counts (one read of its node rows) and its `ETag`.
    private func respond(_ record: DeploymentRecord, request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let nodes = try await deployments.nodeRows(of: record)
        let allowed = try deployments.allowedActions(record, for: context.requirePrincipal(), nodes: nodes)
        var response = try DeploymentBody(
            record, policy: deployments.policy(of: record), nodes: nodes, now: deployments.currentTime, allowedActions: allowed
        ).response(from: request, context: context)
        response.headers[.eTag] = DeploymentBody.etag(record)
        response.headers[.cacheControl] = Self.cacheControl
        response.headers[.vary] = "Authorization"
        return response
    }

    /// The ETag names the deployment's revision; `allowedActions` also depends on the caller and on the time (an
    /// approval expires without a new revision). So no cache may keep the answer for another caller (`private`,
    /// `Vary: Authorization`) or reuse it unasked (`no-cache`), and a 304 vouches for the revision's fields only.
    static let cacheControl = "private, no-cache"

    /// `If-Match: "r<revision>"` (or `W/"r…"`); `*` and absence mean "any". Anything else cannot match: 412.
    static func ifMatch(_ request: Request) throws -> Int? {
        guard let header = request.headers[.ifMatch] else { return nil }
        let value = header.trimmingCharacters(in: .whitespaces)
        if value == "*" { return nil }
        let tag = value.hasPrefix("W/") ? String(value.dropFirst(2)) : value
        guard tag.hasPrefix("\"r"), tag.hasSuffix("\""), let revision = Int(tag.dropFirst(2).dropLast()) else {
            throw APIError(status: .preconditionFailed, slug: "precondition-failed", detail: "If-Match does not name a revision of this deployment")
        }
        return revision
    }

    /// Transition bodies are optional: no body (or no content type) means all defaults.
    static func optionalBody<T: Decodable>(_ request: Request, _ type: T.Type) async throws -> T? {
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if request.headers[.contentType] == nil && (declared ?? 0) == 0 { return nil }
        return try await request.decodeJSON(type, limit: transitionBodyLimit)
    }

    static func text(_ value: String?, _ name: String, required: Bool) throws -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            if required { throw APIError.badRequest(detail: "'\(name)' is required") }
            return nil
        }
        guard TextRules.isFreeText(value, maxBytes: 1024) else {
            throw APIError.badRequest(detail: "'\(name)' is at most 1024 bytes, without control characters")
        }
        return value
    }
}
