/// An error that refuses a request for a reason the audit log records.
///
/// Use cases record refused writes with the outcome their error declares;
/// errors that do not conform (a dependency down, a bug) are not the caller's
/// doing and are not recorded as refusals.
public protocol AuditedRefusal: Error {
    /// `denied` (the caller may not), `failure` (the request is invalid or conflicts with the state),
    /// or `nil` when this particular error is not a refusal (for instance "not authenticated").
    var auditOutcome: AuditEvent.Outcome? { get }
}
