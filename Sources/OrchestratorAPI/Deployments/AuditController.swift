import Foundation
import Hummingbird
import Operations
import OrchestratorDomain

/// `GET /api/v1/wasm/audit-events`: the append-only audit log, admins only.
struct AuditController {
    let auditLog: AuditLog
    static let maxLimit = 500

    var endpoints: RouteCollection<OrchestratorRequestContext> {
        let routes = RouteCollection(context: OrchestratorRequestContext.self)
        routes.get("/audit-events", use: list)
        return routes
    }

    @Sendable func list(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        try context.authorize(.administer)
        let parameters = request.uri.queryParameters
        var query = AuditQuery(limit: 100)
        if let text = parameters.get("limit") {
            guard let value = Int(text), (1...Self.maxLimit).contains(value) else {
                throw APIError.badRequest(detail: "'limit' must be an integer from 1 to \(Self.maxLimit)")
            }
            query.limit = value
        }
        query.actor = try request.textFilter("actor")
        query.action = try request.textFilter("action")
        query.target = try request.textFilter("target")
        if let text = parameters.get("outcome") {
            guard let outcome = AuditEvent.Outcome(rawValue: text) else {
                throw APIError.badRequest(detail: "'outcome' must be success, denied or failure")
            }
            query.outcome = outcome
        }
        query.since = try Self.time(parameters.get("since"), "since")
        query.until = try Self.time(parameters.get("until"), "until")
        if let cursor = parameters.get("cursor") {
            guard let id = try ListingQuery.decodeCursor(cursor, tag: "a").flatMap(Int64.init) else {
                throw APIError.badRequest(detail: "'cursor' is not valid for this listing")
            }
            query.beforeID = id
        }
        let page = try await auditLog.events(query)
        return try ListBody(items: page.items.map(AuditEventBody.init), nextCursor: page.next.map { ListingQuery.encodeCursor(tag: "a", String($0)) })
            .response(request: request, context: context)
    }

    static func time(_ text: String?, _ name: String) throws -> Double? {
        guard let text else { return nil }
        guard let date = try? Date(text, strategy: .iso8601) else {
            throw APIError.badRequest(detail: "'\(name)' must be an RFC 3339 time such as 2026-11-23T12:00:00Z")
        }
        return date.timeIntervalSince1970
    }
}
