import EdgeFleet
import HTTPTypes
import OrchestratorDomain

extension FleetError {
    /// The client-facing form of a node-protocol refusal. See docs/errors.md.
    var apiError: APIError {
        switch self {
        case .invalidNodeID(let id):
            return APIError(
                status: .badRequest, slug: "invalid-node-id",
                detail: "'\(id.prefix(130))' is not a valid node id: 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit")
        case .invalidSpec(let problem):
            return APIError(status: .badRequest, slug: "invalid-node-spec", detail: problem)
        case .invalidHeartbeat(let problem):
            return APIError(status: .badRequest, slug: "invalid-heartbeat", detail: problem)
        case .invalidReport(let problem):
            return APIError(status: .badRequest, slug: "invalid-status-report", detail: problem)
        case .unexpectedReport(let problem):
            return APIError(status: .unprocessableContent, slug: "unexpected-status-report", detail: problem)
        case .unknownEnrollmentToken:
            return APIError.unauthenticated(detail: "the enrollment token is unknown or has been revoked")
        case .enrollmentRefused(let refusal):
            return APIError(status: .forbidden, slug: "enrollment-refused", detail: refusal.description)
        case .nodeIDTaken(let id):
            return APIError(
                status: .conflict, slug: "node-id-taken",
                detail: "node '\(id)' is already registered; only that node's own credential may re-register it")
        case .nodeNotFound(let id):
            return APIError.notFound(detail: "no node '\(id)'")
        case .notAdmitted(let id, let state):
            return APIError(
                status: .forbidden, slug: "node-not-admitted",
                detail: "node '\(id)' is \(state.rawValue); it may heartbeat and poll once an admin accepts it")
        case .tokenNotFound(let id):
            return APIError.notFound(detail: "no enrollment token '\(id.prefix(64))'")
        case .unknownEnvironment(let problem):
            return APIError(status: .unprocessableContent, slug: "unknown-environment", detail: problem)
        case .notSetByNode(let problem):
            return APIError(status: .badRequest, slug: "not-set-by-node", detail: problem)
        }
    }
}
