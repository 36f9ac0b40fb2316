import Foundation
import Hummingbird
import OrchestratorAuth
import OrchestratorDomain
import OrchestratorPorts

/// `/api/v1/wasm/auth/...`: who am I, and (admin) minting tokens for people and CI.
struct AuthController {
    let environment: APIEnvironment

    struct WhoAmI: ResponseEncodable {
        let subject: String
        let role: String
        let nodeId: String?
        /// RFC 3339 UTC.
        let expiresAt: String?
    }

    struct IssueTokenRequest: Decodable {
        let subject: String
        let role: Role
        /// Lifetime in seconds, 60 … 30 days. Default one hour.
        let ttlSeconds: Int?
    }

    struct IssuedToken: ResponseEncodable {
        let token: String
        let subject: String
        let role: String
        let expiresAt: String
    }

    func register(on group: RouterGroup<OrchestratorRequestContext>) {
        group.get("/auth/whoami") { _, context -> WhoAmI in
            let principal = try context.authorize(.readOwnIdentity)
            return WhoAmI(
                subject: principal.subject, role: principal.role.rawValue, nodeId: principal.nodeID,
                expiresAt: principal.expiresAt.map(Self.rfc3339))
        }
        group.post("/auth/tokens") { request, context -> EditedResponse<IssuedToken> in
            let admin = try context.authorize(.administer)
            let body = try await request.decodeJSON(IssueTokenRequest.self, limit: environment.maxBodyBytes)
            let ttl = body.ttlSeconds ?? 3600
            guard (60...2_592_000).contains(ttl) else {
                throw APIError.badRequest(detail: "'ttlSeconds' must be between 60 and 2592000")
            }
            guard !body.subject.isEmpty, body.subject.utf8.count <= 256 else {
                throw APIError.badRequest(detail: "'subject' must be 1 to 256 bytes")
            }
            guard body.role != .agent else {
                throw APIError.badRequest(detail: "agent credentials are issued through node enrollment, not here")
            }
            guard let issuer = environment.issuer else {
                throw APIError(status: .conflict, slug: "issuing-disabled", detail: "this server has no signing key configured")
            }
            let token = try await issuer.issue(subject: body.subject, role: body.role, ttlSeconds: ttl)
            try await environment.metadata.appendAudit(AuditEvent(
                actor: admin.subject, action: "auth.token.issue", target: "subject:\(body.subject)#\(body.role.rawValue)",
                outcome: .success, requestID: context.requestID, occurredAt: environment.now()))
            let issued = IssuedToken(
                token: token, subject: body.subject, role: body.role.rawValue,
                expiresAt: Self.rfc3339(environment.now() + Double(ttl)))
            return EditedResponse(status: .created, headers: [.cacheControl: "no-store"], response: issued)
        }
    }

    static func rfc3339(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds.rounded(.down)).formatted(.iso8601)
    }
}
