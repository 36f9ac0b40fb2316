import HTTPTypes
import OrchestratorDomain

extension APIError: AuditedRefusal {
    /// The HTTP layer's own refusals (media type, size, shape, permission): `denied` for 403, `failure`
    /// for other client errors. Not authenticated (401) and server-side errors are not refusals.
    public var auditOutcome: AuditEvent.Outcome? {
        switch status.code {
        case 403: .denied
        case 401: nil
        case 400..<500: .failure
        default: nil
        }
    }
}
