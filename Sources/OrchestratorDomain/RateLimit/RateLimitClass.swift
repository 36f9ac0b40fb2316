/// The route classes that have a token bucket of their own (see `docs/rate-limits.md`).
///
/// Every request under `/api` falls into exactly one class; its bucket is keyed by
/// the principal (subject and role), by the node for agent credentials, or by the
/// source address for ``enrollment``.
public enum RateLimitClass: String, Sendable, CaseIterable, Hashable {
    /// Module uploads (`POST /modules`, `PUT /modules/{name}/versions/{version}`); seed 004's `ModuleRegistration`.
    case moduleRegistration
    /// Deployment operations (create, approve, reject, execute, pause, resume, promote, cancel, rollback); seed 004's `ModuleExecution`.
    case moduleExecution
    /// Requests no principal vouches for, per source address: enrollment-token registrations
    /// and failed authentications. Consulted before any token is verified.
    case enrollment
    /// Every other `POST`, `PUT`, `PATCH` and `DELETE` of a person or CI identity.
    case writes
    /// `GET` and `HEAD` of a person or CI identity.
    case reads
    /// Everything an edge node does with its credential (polls, heartbeats, status, downloads), per node.
    case agent
}

/// The bucket a request is charged to: its class and whose bucket it is.
public struct RateLimitKey: Sendable, Hashable {
    public let limitClass: RateLimitClass
    /// `address:<ip>`, `node:<id>` or `principal:<role>:<subject>`.
    public let owner: String

    public init(_ limitClass: RateLimitClass, owner: String) {
        self.limitClass = limitClass
        self.owner = owner
    }

    /// The per-node bucket of an agent, or the per-principal bucket of anyone else.
    public static func principal(_ principal: Principal, limitClass: RateLimitClass) -> RateLimitKey {
        if principal.role == .agent, let node = principal.nodeID {
            return RateLimitKey(.agent, owner: "node:" + node)
        }
        return RateLimitKey(limitClass, owner: "principal:\(principal.role.rawValue):\(principal.subject)")
    }

    /// The per-source-address bucket.
    public static func address(_ address: String) -> RateLimitKey {
        RateLimitKey(.enrollment, owner: "address:" + address)
    }

    /// The cache key: `ratelimit:<class>:<owner>`.
    public var storageKey: String { "ratelimit:\(limitClass.rawValue):\(owner)" }
}
