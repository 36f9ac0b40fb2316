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

    public init(actor: String, action: String, target: String, outcome: Outcome, requestID: String?, occurredAt: Double) {
        self.actor = actor
        self.action = action
        self.target = target
        self.outcome = outcome
        self.requestID = requestID
        self.occurredAt = occurredAt
    }
}
