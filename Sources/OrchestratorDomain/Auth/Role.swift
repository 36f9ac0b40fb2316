/// The four roles every caller has exactly one of.
///
/// Roles are ordered by what they may change, not by trust: `agent` is a
/// machine identity confined to its own node and is deliberately not
/// "above" `viewer`.
public enum Role: String, Sendable, Codable, CaseIterable, Hashable {
    /// Operates the orchestrator: approves deployments, manages nodes and tokens.
    case admin
    /// Uploads modules and creates deployments.
    case deployer
    /// Reads everything an operator can see, changes nothing.
    case viewer
    /// An edge agent; sees only the node named in its credential.
    case agent
}
