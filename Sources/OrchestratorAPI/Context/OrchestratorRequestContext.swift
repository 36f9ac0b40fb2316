import Foundation
import Hummingbird
import Logging
import NIOCore
import OrchestratorDomain

/// The per-request context: request id and, after authentication, the caller.
public struct OrchestratorRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The `X-Request-ID` taken from the request or generated; also the problem `instance`.
    public var requestID: String = ""
    /// Set by ``BearerAuthMiddleware``; `nil` on public routes.
    public var principal: Principal?
    /// For node credentials: the node's admission state when the credential was resolved.
    public var nodeAdmission: AdmissionState?
    /// An enrollment token presented as the bearer token. It authenticates
    /// nothing but `POST /api/v1/wasm/nodes`, so `principal` stays `nil`.
    public var enrollmentToken: String?
    /// The peer's IP address, for audit records (the socket peer; proxies are not trusted for this).
    public let sourceAddress: String?
    /// The connection, for the interim `100 Continue` (``ExpectContinueMiddleware``); `nil` in router tests without one.
    let channel: (any Channel)?

    /// Stable, readable JSON: sorted keys, `/` not escaped.
    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.sourceAddress = source.channel.remoteAddress?.ipAddress
        self.channel = source.channel
    }

    /// The authenticated caller, or 401 when the route forgot its auth middleware.
    public func requirePrincipal() throws -> Principal {
        guard let principal else {
            if enrollmentToken != nil {
                throw APIError.unauthenticated(detail: "an enrollment token is accepted only by POST /api/v1/wasm/nodes")
            }
            throw APIError.unauthenticated(detail: "authentication is required")
        }
        return principal
    }

    /// The authenticated caller, if allowed to perform `action`; 403 otherwise.
    @discardableResult
    public func authorize(_ action: Action) throws -> Principal {
        let principal = try requirePrincipal()
        guard AccessPolicy.allows(principal, action) else {
            throw APIError.forbidden(detail: "role '\(principal.role.rawValue)' may not perform this action")
        }
        return principal
    }
}
