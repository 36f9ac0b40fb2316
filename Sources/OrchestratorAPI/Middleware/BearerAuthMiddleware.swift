import EdgeFleet
import Foundation
import Hummingbird
import Logging
import OrchestratorAuth
import OrchestratorDomain
import OrchestratorPorts

/// Authenticates `Authorization: Bearer <token>` and stores the principal in the context.
///
/// Three kinds of bearer token: JWTs (people, CI), node credentials
/// (`wnc_…`, resolved to an `agent` principal bound to its node) and
/// enrollment tokens (`wet_…`, kept aside for node registration only).
/// Applied to every `/api/...` route group; there is no anonymous API.
///
/// An enrollment token is not looked up here; it is accepted only on
/// `POST /api/v1/wasm/nodes`, whose handler checks it before anything else
/// happens. On every other route it is refused at once with 401.
public struct BearerAuthMiddleware: RouterMiddleware {
    public typealias Context = OrchestratorRequestContext
    let verifier: TokenVerifier
    let nodeCredentials: CredentialResolver

    /// The one route an enrollment token may call.
    static let registrationPath = "/api/v1/wasm/nodes"

    public init(verifier: TokenVerifier, nodeCredentials: CredentialResolver) {
        self.verifier = verifier
        self.nodeCredentials = nodeCredentials
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw AuthenticationError.missingToken
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw AuthenticationError.missingToken
        }
        var context = context
        let token = String(parts[1]).trimmingCharacters(in: .whitespaces)
        if token.hasPrefix(Secrets.enrollmentPrefix) {
            guard request.method == .post, request.uri.path == Self.registrationPath else {
                throw AuthenticationError("an enrollment token is accepted only by POST \(Self.registrationPath)")
            }
            guard Secrets.looksLike(token, prefix: Secrets.enrollmentPrefix) else { throw AuthenticationError("the enrollment token is malformed") }
            context.enrollmentToken = token
            return try await AuditContext.$current.withValue(AuditContext(role: nil, sourceAddress: context.sourceAddress)) {
                try await next(request, context)
            }
        }
        let principal: Principal
        if token.hasPrefix(Secrets.nodeCredentialPrefix) {
            guard Secrets.looksLike(token, prefix: Secrets.nodeCredentialPrefix),
                let owner = try await nodeCredentials.resolve(token)
            else { throw AuthenticationError("the node credential is unknown or has been revoked") }
            principal = Principal(subject: "node:\(owner.nodeID)", role: .agent, nodeID: owner.nodeID.value)
            context.nodeAdmission = owner.admission
        } else {
            principal = try await verifier.verify(token)
        }
        context.principal = principal
        context.logger[metadataKey: "subject"] = .string(principal.subject)
        return try await AuditContext.$current.withValue(
            AuditContext(role: principal.role.rawValue, sourceAddress: context.sourceAddress, actors: principal.actors)
        ) {
            try await next(request, context)
        }
    }
}
