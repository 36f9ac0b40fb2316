import Foundation
import Hummingbird
import Operations
import OrchestratorAuth
import OrchestratorDomain
import OrchestratorPorts

/// `/api/v1/wasm/auth/...`: who am I, (admin) minting tokens for people and CI, and revoking tokens.
struct AuthController {
    /// `nil` when the server only verifies tokens: minting answers 409.
    let issuer: TokenIssuer?
    let revocations: TokenRevocations
    let auditLog: AuditLog
    /// The longest lifetime a minted token may have (`auth.jwt.maxLifetimeSeconds`).
    let maxLifetimeSeconds: Int
    let maxBodyBytes: Int

    struct WhoAmI: ResponseEncodable {
        let subject: String
        let role: String
        let nodeId: String?
        /// RFC 3339 UTC.
        let expiresAt: String?
        /// Who minted the caller's token on its behalf (RFC 8693 `act`), innermost first; absent when nobody did.
        let actors: [String]?
        /// The caller's own `jti`, the handle to revoke it.
        let tokenId: String?
    }

    struct IssueTokenRequest: Decodable {
        let subject: String
        let role: Role
        /// Lifetime in seconds, 60 … `auth.jwt.maxLifetimeSeconds`. Default one hour; never beyond the caller's own `exp`.
        let ttlSeconds: Int?
    }

    struct IssuedToken: ResponseEncodable {
        let token: String
        let subject: String
        let role: String
        let expiresAt: String
        /// The minted token's `jti`, for `DELETE /auth/tokens/{jti}`.
        let tokenId: String
        /// The minted token's `act` chain: the minter first.
        let actors: [String]
    }

    var endpoints: RouteCollection<OrchestratorRequestContext> {
        let group = RouteCollection(context: OrchestratorRequestContext.self)
        group.get("/auth/whoami") { _, context -> WhoAmI in
            let principal = try context.authorize(.readOwnIdentity)
            return WhoAmI(
                subject: principal.subject, role: principal.role.rawValue, nodeId: principal.nodeID,
                expiresAt: principal.expiresAt.map(RFC3339.format), actors: principal.actors.isEmpty ? nil : principal.actors,
                tokenId: principal.tokenID)
        }
        group.post("/auth/tokens") { request, context -> EditedResponse<IssuedToken> in
            try await issue(request, context)
        }
        group.delete("/auth/tokens/{jti}") { _, context -> Response in
            let principal = try context.authorize(.readOwnIdentity)
            // Path parameters arrive percent-encoded; a `jti` is compared decoded (undecodable text is refused).
            let tokenID = context.parameters.get("jti")?.removingPercentEncoding ?? ""
            do {
                try await revocations.revoke(tokenID, by: principal, requestID: context.requestID)
            } catch TokenRevocations.Refusal.invalidTokenID {
                throw APIError.badRequest(detail: "'jti' must be 1 to \(TokenID.maxLength) letters, digits, '.', '_', ':', '-', '+' or '='")
            } catch TokenRevocations.Refusal.forbidden {
                throw APIError.forbidden(detail: "only an admin may revoke another caller's token")
            }
            return Response(status: .noContent)
        }
        return group
    }

    /// Mints a token for someone else: bounded by the minter's own lifetime and marked with the minter as RFC 8693 actor.
    private func issue(_ request: Request, _ context: OrchestratorRequestContext) async throws -> EditedResponse<IssuedToken> {
        let admin = try context.authorize(.administer)
        let body = try await request.decodeJSON(IssueTokenRequest.self, limit: maxBodyBytes)
        let ttl = body.ttlSeconds ?? 3600
        let maxTTL = maxLifetimeSeconds
        guard (60...maxTTL).contains(ttl) else {
            throw APIError.badRequest(detail: "'ttlSeconds' must be between 60 and \(maxTTL)")
        }
        guard TokenSubject.isValid(body.subject) else {
            throw APIError.badRequest(
                detail: "'subject' must be 1 to \(TokenSubject.maxLength) characters of A-Z a-z 0-9 . _ @ : + -")
        }
        guard body.role != .agent else {
            throw APIError.badRequest(detail: "agent credentials are issued through node enrollment, not here")
        }
        let actors = [admin.subject] + admin.actors
        guard actors.count <= ActorClaim.maximumDepth else {
            throw APIError.badRequest(detail: "the caller's token was itself minted through too many hands to mint another")
        }
        guard let issuer else {
            throw APIError(status: .conflict, slug: "issuing-disabled", detail: "this server has no signing key configured")
        }
        let minted = try await issuer.mint(
            subject: body.subject, role: body.role, ttlSeconds: ttl, actors: actors, notAfter: admin.expiresAt)
        try await auditLog.recordTokenIssue(by: admin, subject: body.subject, role: body.role, requestID: context.requestID)
        let issued = IssuedToken(
            token: minted.token, subject: body.subject, role: body.role.rawValue, expiresAt: RFC3339.format(minted.expiresAt),
            tokenId: minted.tokenID, actors: actors)
        return EditedResponse(status: .created, headers: [.cacheControl: "no-store"], response: issued)
    }

}
