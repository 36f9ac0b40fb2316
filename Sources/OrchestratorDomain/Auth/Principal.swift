/// An authenticated caller, as established from a verified token.
public struct Principal: Sendable, Hashable {
    /// The token's `sub` claim: a user name, a CI identity or a node id.
    public let subject: String
    /// The single role the token grants.
    public let role: Role
    /// For `agent` principals, the node the credential is bound to.
    public let nodeID: String?
    /// When the credential stops being valid, as seconds since 1970.
    public let expiresAt: Double?
    /// The RFC 8693 actor chain, innermost first: `actors[0]` minted this
    /// token (`act.sub`), `actors[1]` minted that minter's token (`act.act.sub`), and so on.
    /// Empty for a token nobody minted on someone else's behalf.
    public let actors: [String]
    /// The token's `jti`, when it has one: the handle for revoking it.
    public let tokenID: String?

    public init(
        subject: String, role: Role, nodeID: String? = nil, expiresAt: Double? = nil, actors: [String] = [], tokenID: String? = nil
    ) {
        self.subject = subject
        self.role = role
        self.nodeID = nodeID
        self.expiresAt = expiresAt
        self.actors = actors
        self.tokenID = tokenID
    }

    /// Everyone who stands behind this credential, for separation of duties.
    public var person: Person { Person(subject: subject, actors: actors) }
}

extension Principal {
    /// `role:subject`: one caller for per-caller bookkeeping (idempotency scopes, held-poll caps,
    /// rate-limit buckets). The role is part of it, so a token minted with another role is another caller.
    public var callerKey: String { "\(role.rawValue):\(subject)" }
}
