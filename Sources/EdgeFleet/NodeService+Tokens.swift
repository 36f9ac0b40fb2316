import OrchestratorDomain
import OrchestratorPorts

extension NodeService {
    /// Every enrollment token, newest first; expired ones only when `includeExpired`.
    public func enrollmentTokens(includeExpired: Bool) async throws -> [EnrollmentTokenRecord] {
        try await store.enrollmentTokens(includeExpiredBefore: includeExpired ? nil : now())
    }

    /// Revokes an enrollment token, with its audit event (`node.enrollment-token.revoke`) in the same write.
    /// Nodes it enrolled keep their credentials. Throws ``FleetError/tokenNotFound(_:)`` for an unknown id.
    public func deleteEnrollmentToken(id: String, actor: String, requestID: String?) async throws {
        let event = audit(actor, "node.enrollment-token.revoke", "enrollment-token:\(id.prefix(64))", requestID)
        guard try await store.deleteEnrollmentToken(id: id, audit: event) else { throw FleetError.tokenNotFound(id) }
    }
}
