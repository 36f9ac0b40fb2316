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

    public init(subject: String, role: Role, nodeID: String? = nil, expiresAt: Double? = nil) {
        self.subject = subject
        self.role = role
        self.nodeID = nodeID
        self.expiresAt = expiresAt
    }
}
