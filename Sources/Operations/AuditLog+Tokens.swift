import OrchestratorDomain
import OrchestratorPorts

extension AuditLog {
    /// Records that `minter` issued a token for `subject` with `role` (`auth.token.issue`).
    ///
    /// The target names subject and role, never the token; the minter's own
    /// `act` chain is kept so a delegated mint stays traceable.
    public func recordTokenIssue(by minter: Principal, subject: String, role: Role, requestID: String?) async throws {
        try await store.appendAudit(
            AuditEvent(
                actor: minter.subject, action: "auth.token.issue", target: "subject:\(subject)#\(role.rawValue)",
                outcome: .success, requestID: requestID, occurredAt: now(), actors: minter.actors))
    }
}
