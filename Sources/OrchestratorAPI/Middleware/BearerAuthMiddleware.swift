import Hummingbird
import Logging
import OrchestratorAuth
import OrchestratorDomain

/// Authenticates `Authorization: Bearer <jwt>` and stores the principal in the context.
///
/// Applied to every `/api/...` route group; there is no anonymous API.
public struct BearerAuthMiddleware: RouterMiddleware {
    public typealias Context = OrchestratorRequestContext
    let verifier: TokenVerifier

    public init(verifier: TokenVerifier) {
        self.verifier = verifier
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
        let principal = try await verifier.verify(String(parts[1]).trimmingCharacters(in: .whitespaces))
        context.principal = principal
        context.logger[metadataKey: "subject"] = .string(principal.subject)
        return try await next(request, context)
    }
}

import Foundation
