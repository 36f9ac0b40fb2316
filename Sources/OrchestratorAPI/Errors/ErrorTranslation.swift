import Deployments
import EdgeFleet
import Hummingbird
import ModuleRegistry
import OrchestratorAuth
import OrchestratorPorts

/// The one place that turns any thrown error into a client-safe ``APIError``.
///
/// Library errors (driver, S3, decoding) are translated to generic text;
/// their originals are only logged. Anything unrecognised is a 500 and is
/// logged at error level, because every 5xx is a bug to fix.
enum ErrorTranslation {
    /// - Returns: the error to answer with, and whether it was unexpected (log at error level).
    static func translate(_ error: any Error) -> (APIError, unexpected: Bool) {
        switch error {
        case let error as APIError:
            return (error, false)
        case let error as RegistryError:
            return (error.apiError, false)
        case let error as FleetError:
            return (error.apiError, false)
        case let error as DeploymentError:
            return (error.apiError, false)
        case let error as AuthenticationError:
            return (.unauthenticated(detail: error.reason), false)
        case let error as DependencyUnavailableError:
            return (.unavailable(dependency: error.dependency), false)
        case let error as PayloadTooLargeError:
            return (.payloadTooLarge(limit: error.limit), false)
        case let error as DecodingError:
            return (.badRequest(detail: describe(error)), false)
        case let error as HTTPError:
            return (fromHTTPError(error), error.status.code >= 500)
        case let error as any HTTPResponseError:
            return (APIError(status: error.status, slug: slug(for: error.status), detail: error.status.reasonPhrase), error.status.code >= 500)
        default:
            return (APIError(status: .internalServerError, slug: "internal-error", detail: "an unexpected error occurred; it has been logged"), true)
        }
    }

    private static func fromHTTPError(_ error: HTTPError) -> APIError {
        let detail: String
        switch error.status {
        case .contentTooLarge: detail = "the request body is too large"
        case .notFound: detail = "no route matches this method and path"
        case .methodNotAllowed: detail = "this path does not accept this method"
        default: detail = error.body ?? error.status.reasonPhrase
        }
        return APIError(status: error.status, slug: slug(for: error.status), detail: detail, headers: error.headers)
    }

    static func slug(for status: HTTPResponse.Status) -> String {
        switch status {
        case .badRequest: "bad-request"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .notFound: "not-found"
        case .methodNotAllowed: "method-not-allowed"
        case .contentTooLarge: "payload-too-large"
        case .unsupportedMediaType: "unsupported-media-type"
        case .unprocessableContent: "unprocessable-content"
        case .conflict: "conflict"
        case .serviceUnavailable: "dependency-unavailable"
        default: status.code >= 500 ? "internal-error" : "http-\(status.code)"
        }
    }

    /// A one-line description of what was wrong with the JSON, without echoing the body.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let joined = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "the body" : "'\(joined)'"
        }
        switch error {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the body is not valid JSON" : "\(path(context)) has an invalid value"
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing required field '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(parent)")
        case .typeMismatch(let type, let context):
            return "\(path(context)) must be of type \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context)) must not be null (expected \(type))"
        @unknown default:
            return "the body could not be decoded"
        }
    }
}
