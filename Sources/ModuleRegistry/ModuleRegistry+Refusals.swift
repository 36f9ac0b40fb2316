import OrchestratorDomain
import OrchestratorPorts

extension RegistryError: AuditedRefusal {
    /// Every registry refusal is the request's fault (invalid, conflicting or unknown): `failure`.
    public var auditOutcome: AuditEvent.Outcome? { .failure }
}

extension ModuleRegistry {
    /// Runs a write by `actor`; a refusal is recorded in the audit log as `denied` or `failure` (see
    /// ``refusalOutcome(of:)``), then rethrown. Successes are audited by the write itself, in its transaction.
    public func recordingRefusals<T>(
        _ action: String, target: String, actor: String, requestID: String?, _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch {
            if let outcome = Self.refusalOutcome(of: error) {
                await auditRefusal(actor: actor, action: action, target: target, denied: outcome == .denied, requestID: requestID)
            }
            throw error
        }
    }

    /// The outcome a refused write is recorded with: what an ``AuditedRefusal`` declares, `failure` for a
    /// module over the size limit, and `nil` (not recorded) for anything else, such as a dependency down.
    public static func refusalOutcome(of error: any Error) -> AuditEvent.Outcome? {
        switch error {
        case let refusal as any AuditedRefusal: refusal.auditOutcome
        case is PayloadTooLargeError: .failure
        default: nil
        }
    }
}
