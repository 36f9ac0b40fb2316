import EdgeFleet
import Foundation
import HTTPTypes
import Hummingbird
import OrchestratorDomain
import OrchestratorPorts

/// `/api/v1/wasm/nodes/...` and `/api/v1/wasm/enrollment-tokens`: enrollment,
/// operators' node management and the agent protocol (heartbeat, health,
/// desired state with ETag and long-poll, status reports).
struct NodesController {
    let nodes: NodeService
    let idempotency: IdempotentWrites

    var endpoints: RouteCollection<OrchestratorRequestContext> {
        let group = RouteCollection(context: OrchestratorRequestContext.self)
        group.post("/enrollment-tokens", use: createEnrollmentToken)
        group.get("/enrollment-tokens", use: listEnrollmentTokens)
        group.delete("/enrollment-tokens/:id", use: deleteEnrollmentToken)
        group.post("/nodes", use: registerNode)
        group.get("/nodes", use: listNodes)
        group.get("/nodes/:id", use: getNode)
        group.put("/nodes/:id", use: updateNode)
        group.delete("/nodes/:id", use: deleteNode)
        group.post("/nodes/:id/accept") { request, context in try await decide(.accept, request, context) }
        group.post("/nodes/:id/reject") { request, context in try await decide(.reject, request, context) }
        group.post("/nodes/:id/credentials/rotate", use: rotateCredential)
        group.post("/nodes/:id/heartbeat", use: heartbeat)
        group.get("/nodes/:id/health", use: health)
        group.get("/nodes/:id/health/history", use: healthHistory)
        AgentPollHandler(nodes: nodes).register(on: group)
        group.post("/nodes/:id/status", use: reportStatus)
        group.get("/nodes/:id/status", use: listStatus)
        return group
    }

    // MARK: Enrollment tokens

    struct CreateTokenRequest: Decodable {
        let expiresInSeconds: Int?
        let maxUses: Int?
        let region: String?
        let labels: [String: String]?
        let description: String?
        /// Default `production`; must be a configured environment (422 otherwise).
        let environment: String?
    }

    @Sendable func createEnrollmentToken(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let admin = try context.authorize(.administer)
        return try await idempotency.respond(to: request, context: context, scope: .principal(admin), bodyLimit: 16 * 1024) { request in
            try await createEnrollmentToken(request, context: context, by: admin)
        }
    }

    private func createEnrollmentToken(
        _ request: Request, context: OrchestratorRequestContext, by admin: Principal
    ) async throws -> EditedResponse<EnrollmentTokenBody> {
        let body = try await request.decodeJSON(CreateTokenRequest.self, limit: 16 * 1024)
        let ttl = body.expiresInSeconds ?? EnrollmentTokenLimits.defaultLifetimeSeconds
        let uses = body.maxUses ?? EnrollmentTokenLimits.defaultMaxUses
        if let problem = EnrollmentTokenLimits.problem(lifetimeSeconds: ttl, maxUses: uses) { throw APIError.badRequest(detail: problem) }
        if let region = body.region, !NodeSpecRules.isToken(region, max: 64) {
            throw APIError.badRequest(detail: "'region' must be 1–63 letters, digits, '.', '_' or '-'")
        }
        let labels = body.labels ?? [:]
        guard labels.count <= NodeSpecRules.maxLabels, labels.allSatisfy({ NodeSpecRules.isLabelKey($0.key) && NodeSpecRules.isLabelValue($0.value) })
        else {
            throw APIError.badRequest(detail: "'labels' must be at most \(NodeSpecRules.maxLabels) valid key/value pairs")
        }
        guard TextRules.isFreeText(body.description ?? "", maxBytes: EnrollmentTokenLimits.maxDescriptionBytes) else {
            throw APIError.badRequest(
                detail: "'description' is at most \(EnrollmentTokenLimits.maxDescriptionBytes) bytes, without control characters")
        }
        let (record, token) = try await nodes.createEnrollmentToken(
            ttlSeconds: ttl, maxUses: uses, region: body.region, labels: labels, description: body.description,
            actor: admin.subject, requestID: context.requestID, environment: body.environment ?? EnvironmentRules.defaultEnvironment)
        return EditedResponse(status: .created, headers: [.cacheControl: "no-store"], response: EnrollmentTokenBody(record, token: token))
    }

    @Sendable func listEnrollmentTokens(_ request: Request, context: OrchestratorRequestContext) async throws -> ListBody<EnrollmentTokenBody> {
        try context.authorize(.administer)
        let includeExpired = try request.booleanFlag("includeExpired") ?? false
        let tokens = try await nodes.enrollmentTokens(includeExpired: includeExpired)
        return ListBody(items: tokens.map { EnrollmentTokenBody($0) }, nextCursor: nil)
    }

    @Sendable func deleteEnrollmentToken(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let admin = try context.authorize(.administer)
        let id = try context.pathParameter("id")
        return try await idempotency.respond(
            to: request, context: context, scope: .principal(admin), bodyLimit: IdempotentWrites.smallBodyLimit
        ) { _ in
            try await nodes.deleteEnrollmentToken(id: id, actor: admin.subject, requestID: context.requestID)
            return Response(status: .noContent)
        }
    }

    // MARK: Registration

    /// With an enrollment token: registers a new node (201) and returns its
    /// credential once. With a node credential for the same id: re-registers (200).
    @Sendable func registerNode(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let scope: IdempotencyScope
        if let enrollmentToken = context.enrollmentToken {
            // Checked (read-only) before anything is buffered or written: a wrong token takes no write lock.
            try await nodes.checkEnrollmentToken(enrollmentToken)
            scope = .enrollment(enrollmentToken)
        } else {
            let principal = try context.requirePrincipal()
            guard principal.role == .agent else {
                throw APIError.forbidden(detail: "nodes register with an enrollment token, or re-register with their own credential")
            }
            scope = .principal(principal)
        }
        return try await idempotency.respond(to: request, context: context, scope: scope, bodyLimit: 64 * 1024) { request in
            try await register(request, context: context)
        }
    }

    private func register(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(RegisterNodeRequest.self, limit: 64 * 1024)
        guard let id = NodeID(body.nodeId) else { throw FleetError.invalidNodeID(body.nodeId) }
        let spec = try body.spec()
        let interval = Int(nodes.settings.health.heartbeatIntervalSeconds)
        if let enrollmentToken = context.enrollmentToken {
            let (node, credential) = try await nodes.enroll(nodeID: id, spec: spec, enrollmentToken: enrollmentToken, requestID: context.requestID)
            var response = try RegisteredNodeBody(node: NodeBody(node, drifted: false), credential: credential, heartbeatIntervalSeconds: interval)
                .response(from: request, context: context)
            response.status = .created
            response.headers[.location] = "/api/v1/wasm/nodes/\(id)"
            response.headers[.cacheControl] = "no-store"
            return response
        }
        let principal = try context.requirePrincipal()
        guard principal.nodeID == id.value else { throw APIError.forbidden(detail: "this credential belongs to another node") }
        let node = try await nodes.reregister(nodeID: id, spec: spec, requestID: context.requestID)
        return try RegisteredNodeBody(node: NodeBody(node, drifted: false), credential: nil, heartbeatIntervalSeconds: interval).response(
            from: request, context: context)
    }

    // MARK: Operators

    @Sendable func listNodes(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        try context.authorize(.readFleet)
        let query = try NodeListingQuery(request)
        let page: Page<NodeRecord, String>
        if let drifted = query.drifted {
            page = try await nodes.nodes(query.nodeQuery, drifted: drifted)
        } else {
            page = try await nodes.nodes(query.nodeQuery)
        }
        let next = page.next.map { ListingQuery.encodeCursor(tag: "n", $0) }
        let drifted = try await nodes.drifted(page.items)
        let items = page.items.map { NodeBody($0, drifted: drifted.contains($0.id)) }
        return try ListBody(items: items, nextCursor: next).response(request: request, context: context)
    }

    @Sendable func getNode(_ request: Request, context: OrchestratorRequestContext) async throws -> NodeBody {
        let id = try Self.readableNode(context)
        let node = try await nodes.node(id)
        let observation = try await nodes.observation(of: node)
        return NodeBody(node, drifted: observation.drifted, observation: observation)
    }

    struct UpdateNodeRequest: Decodable {
        let isEnabled: Bool?
        /// Replaces the trusted labels.
        let labels: [String: String]?
        /// `true` merges the node's reported labels into its trusted labels.
        let adoptReportedLabels: Bool?
        let environment: String?
        let region: String?
        let zone: String?

        var change: NodeUpdate {
            NodeUpdate(
                isEnabled: isEnabled, labels: labels, adoptReportedLabels: adoptReportedLabels ?? false, environment: environment, region: region,
                zone: zone)
        }
    }

    @Sendable func updateNode(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let admin = try context.authorize(.administer)
        let id = try Self.nodeID(context)
        return try await idempotency.respond(to: request, context: context, scope: .principal(admin), bodyLimit: 16 * 1024) { request in
            let body = try await request.decodeJSON(UpdateNodeRequest.self, limit: 16 * 1024)
            guard !body.change.isEmpty else {
                throw APIError.badRequest(
                    detail: "send at least one of 'isEnabled', 'labels', 'adoptReportedLabels', 'environment', 'region', 'zone'")
            }
            let node = try await nodes.update(node: id, body.change, actor: admin.subject, requestID: context.requestID)
            return NodeBody(node, drifted: try await !nodes.drifted([node]).isEmpty)
        }
    }

    @Sendable func deleteNode(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let admin = try context.authorize(.administer)
        let id = try Self.nodeID(context)
        return try await idempotency.respond(
            to: request, context: context, scope: .principal(admin), bodyLimit: IdempotentWrites.smallBodyLimit
        ) { _ in
            try await nodes.deregister(node: id, actor: admin.subject, requestID: context.requestID)
            return Response(status: .noContent)
        }
    }

    func decide(_ decision: AdmissionDecision, _ request: Request, _ context: OrchestratorRequestContext) async throws -> Response {
        let admin = try context.authorize(.administer)
        let id = try Self.nodeID(context)
        return try await idempotency.respond(
            to: request, context: context, scope: .principal(admin), bodyLimit: IdempotentWrites.smallBodyLimit
        ) { _ in
            let node = try await nodes.decide(decision, node: id, actor: admin.subject, requestID: context.requestID)
            return NodeBody(node, drifted: try await !nodes.drifted([node]).isEmpty)
        }
    }

    struct RotatedCredential: ResponseEncodable {
        let nodeId: String
        let credential: String
    }

    /// The node itself (even while pending) or an admin.
    @Sendable func rotateCredential(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let id = try Self.nodeID(context)
        let principal = try context.authorize(.actAsNode(id.value))
        return try await idempotency.respond(
            to: request, context: context, scope: .principal(principal), bodyLimit: IdempotentWrites.smallBodyLimit
        ) { _ in
            let credential = try await nodes.rotateCredential(node: id, actor: principal.subject, requestID: context.requestID)
            return EditedResponse(headers: [.cacheControl: "no-store"], response: RotatedCredential(nodeId: id.value, credential: credential))
        }
    }

    // MARK: Agent protocol

    @Sendable func heartbeat(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let id = try await Self.admittedAgent(context, nodes: nodes)
        let principal = try context.requirePrincipal()
        return try await idempotency.respond(to: request, context: context, scope: .principal(principal), bodyLimit: 256 * 1024) { request in
            let heartbeat = try await request.decodeJSON(Heartbeat.self, limit: 256 * 1024)
            try await nodes.heartbeat(heartbeat, from: id)
            return Response(
                status: .noContent,
                headers: [HTTPField.Name("X-Heartbeat-Interval-Seconds")!: String(Int(nodes.settings.health.heartbeatIntervalSeconds))])
        }
    }

    @Sendable func health(_ request: Request, context: OrchestratorRequestContext) async throws -> NodeHealthBody {
        let id = try Self.readableNode(context)
        let node = try await nodes.node(id)
        let (status, at, heartbeat) = await nodes.health.currentHealth(of: node)
        return NodeHealthBody(
            nodeId: id.value, status: status.rawValue, modulesLoaded: heartbeat?.modulesLoaded ?? 0,
            cpuUsagePercent: heartbeat?.cpuUsagePercent ?? 0, memoryUsageMB: heartbeat?.memoryUsageMB ?? 0,
            lastHeartbeat: at.map(RFC3339.format))
    }

    @Sendable func healthHistory(_ request: Request, context: OrchestratorRequestContext) async throws -> ListBody<HealthTransitionBody> {
        let id = try Self.readableNode(context)
        let transitions = try await nodes.healthHistory(of: id, limit: 100)
        return ListBody(
            items: transitions.map { HealthTransitionBody(from: $0.from.rawValue, to: $0.to.rawValue, at: RFC3339.format($0.at)) }, nextCursor: nil)
    }

    @Sendable func reportStatus(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let id = try await Self.admittedAgent(context, nodes: nodes)
        let principal = try context.requirePrincipal()
        return try await idempotency.respond(to: request, context: context, scope: .principal(principal), bodyLimit: 256 * 1024) { request in
            let body = try await request.decodeJSON(StatusReportsRequest.self, limit: 256 * 1024)
            try await nodes.report(body.reports.map(\.domain), from: id)
            return Response(status: .noContent)
        }
    }

    /// One page of the node's module statuses in module order (`limit`, `cursor`; `Link` to the next page).
    @Sendable func listStatus(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let id = try Self.readableNode(context)
        let listing = try ListingQuery(request, moduleFilters: false)
        let after = try listing.decodeCursor(tag: "st")
        _ = try await nodes.node(id)
        let rows = try await nodes.moduleStatuses(of: id).filter { after == nil || $0.report.module > after! }
        let page = Array(rows.prefix(listing.limit))
        let next = rows.count > listing.limit ? page.last.map { ListingQuery.encodeCursor(tag: "st", $0.report.module) } : nil
        return try ListBody(items: page.map(StatusReportBody.init), nextCursor: next).response(request: request, context: context)
    }

    // MARK: Authorization helpers

    static func nodeID(_ context: OrchestratorRequestContext) throws -> NodeID {
        let text = try context.pathParameter("id")
        guard let id = NodeID(text) else { throw FleetError.invalidNodeID(text) }
        return id
    }

    /// Operators who read the fleet, or the node itself. Another node's credential gets 403
    /// before anything is looked up, so it learns nothing about the node.
    static func readableNode(_ context: OrchestratorRequestContext) throws -> NodeID {
        let id = try nodeID(context)
        let principal = try context.requirePrincipal()
        guard AccessPolicy.allows(principal, .readFleet) || AccessPolicy.allows(principal, .actAsNode(id.value)) else {
            throw APIError.forbidden(
                detail: principal.role == .agent ? "this credential belongs to another node" : "role '\(principal.role.rawValue)' may not read nodes")
        }
        return id
    }

    /// Only the node's own credential, and only once the node is accepted. A
    /// node credential carries its admission state; an agent JWT (`token issue
    /// --role agent`) is checked against the stored node.
    static func admittedAgent(_ context: OrchestratorRequestContext, nodes: NodeService) async throws -> NodeID {
        let id = try nodeID(context)
        let principal = try context.requirePrincipal()
        guard principal.role == .agent else { throw APIError.forbidden(detail: "only the node's own credential may do this") }
        guard principal.nodeID == id.value else { throw APIError.forbidden(detail: "this credential belongs to another node") }
        let admission: AdmissionState
        if let cached = context.nodeAdmission {
            admission = cached
        } else {
            admission = try await nodes.node(id).admission
        }
        guard admission == .accepted else { throw FleetError.notAdmitted(id.value, admission) }
        return id
    }
}
