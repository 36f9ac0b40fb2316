/// One recorded write: who did what to which object, with what result.
///
/// Every mutating endpoint records one, so the deployments issue's audit
/// log can absorb the history without a migration of meaning.
public struct AuditEvent: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Codable, Hashable {
        case success
        case denied
        case failure
    }

    /// The principal's subject, or `anonymous`.
    public let actor: String
    /// A dotted verb such as `module.upload` or `auth.token.issue`.
    public let action: String
    /// The object acted on, e.g. `module:hello@1.0.0`.
    public let target: String
    public let outcome: Outcome
    /// The `X-Request-ID` of the request that caused it, when there was one.
    public let requestID: String?
    /// Seconds since 1970, UTC.
    public let occurredAt: Double
    /// The caller's role (`admin`, `deployer`, `viewer`, `agent`); `nil` for the system itself or enrollment tokens.
    public let role: String?
    /// The peer address of the connection the request came on.
    public let sourceAddress: String?
    /// The RFC 8693 actor chain of the caller's token (who minted it on `actor`'s behalf), innermost first.
    public let actors: [String]

    /// `role` and `sourceAddress` default to the request's ``AuditContext``,
    /// so every use case records them without passing them through each layer.
    public init(
        actor: String, action: String, target: String, outcome: Outcome, requestID: String?, occurredAt: Double,
        role: String? = AuditContext.current?.role, sourceAddress: String? = AuditContext.current?.sourceAddress,
        actors: [String] = AuditContext.current?.actors ?? []
    ) {
        self.actors = actors
        self.actor = actor
        self.action = action
        self.target = target
        self.outcome = outcome
        self.requestID = requestID
        self.occurredAt = occurredAt
        self.role = role
        self.sourceAddress = sourceAddress
    }
}

/// Who is calling, for audit records: bound by the HTTP layer for the
/// duration of one request (a task-local, so it follows structured concurrency).
public struct AuditContext: Sendable, Hashable {
    public var role: String?
    public var sourceAddress: String?
    /// The caller's actor chain (``Principal/actors``).
    public var actors: [String]

    public init(role: String?, sourceAddress: String?, actors: [String] = []) {
        self.role = role
        self.sourceAddress = sourceAddress
        self.actors = actors
    }

    @TaskLocal public static var current: AuditContext?
}

/// An audit event as stored, with its position in the log.
public struct StoredAuditEvent: Sendable, Hashable {
    public let id: Int64
    public let event: AuditEvent

    public init(id: Int64, event: AuditEvent) {
        self.id = id
        self.event = event
    }
}

/// Filters for `GET /api/v1/wasm/audit-events`, newest first.
public struct AuditQuery: Sendable, Hashable {
    public var actor: String?
    /// Exact action, or a prefix when it ends in `*` (`deployment.*`).
    public var action: String?
    public var target: String?
    public var outcome: AuditEvent.Outcome?
    public var since: Double?
    public var until: Double?
    /// Continue below this id (exclusive).
    public var beforeID: Int64?
    public var limit: Int

    public init(
        actor: String? = nil, action: String? = nil, target: String? = nil, outcome: AuditEvent.Outcome? = nil, since: Double? = nil,
        until: Double? = nil, beforeID: Int64? = nil, limit: Int = 100
    ) {
        self.actor = actor
        self.action = action
        self.target = target
        self.outcome = outcome
        self.since = since
        self.until = until
        self.beforeID = beforeID
        self.limit = limit
    }

    /// The action filter: exact, or a prefix when it ends in `*`.
    public var actionMatch: (value: String, isPrefix: Bool)? {
        guard let action else { return nil }
        return action.hasSuffix("*") ? (String(action.dropLast()), true) : (action, false)
    }
}
