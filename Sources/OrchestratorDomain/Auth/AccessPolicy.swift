/// What a caller wants to do, in domain terms. The HTTP layer names one of
/// these per route; the policy below decides.
public enum Action: Sendable, Hashable {
    /// Read who the caller is. Every authenticated role may.
    case readOwnIdentity
    /// Read fleet-wide state (modules, nodes, deployments).
    case readFleet
    /// Upload or change modules, create deployments.
    case deploy
    /// Approve, reject, roll back; manage nodes and enrollment.
    case administer
    /// Act as, or read the state of, one specific node.
    case actAsNode(String)
    /// Revoke the token with this `jti`: admins any, every caller its own.
    case revokeToken(String)
}

/// The single place that decides whether a principal may perform an action.
///
/// Kept pure so it is tested exhaustively without HTTP.
public enum AccessPolicy {
    /// Returns `true` when `principal` may perform `action`.
    public static func allows(_ principal: Principal, _ action: Action) -> Bool {
        switch (principal.role, action) {
        case (_, .readOwnIdentity):
            return true
        case (.admin, _):
            return true
        case (.deployer, .readFleet), (.deployer, .deploy):
            return true
        case (.viewer, .readFleet):
            return true
        case (.agent, .actAsNode(let nodeID)):
            return principal.nodeID == nodeID
        case (_, .revokeToken(let tokenID)):
            return principal.tokenID == tokenID
        default:
            return false
        }
    }
}
