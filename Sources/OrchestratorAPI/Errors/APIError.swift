import Foundation
import HTTPTypes

/// An error the API answers deliberately, with a status, a problem type and client-safe detail.
public struct APIError: Error, Sendable {
    public let status: HTTPResponse.Status
    /// The last part of the problem type URI, e.g. `validation-failed`.
    public let slug: String
    public let detail: String
    /// Extra response headers, such as `WWW-Authenticate` or `Retry-After`.
    public let headers: HTTPFields

    public init(status: HTTPResponse.Status, slug: String, detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.slug = slug
        self.detail = detail
        self.headers = headers
    }

    public static func badRequest(detail: String) -> APIError {
        APIError(status: .badRequest, slug: "bad-request", detail: detail)
    }

    public static func unauthenticated(detail: String) -> APIError {
        var headers = HTTPFields()
        let quoted = detail.replacingOccurrences(of: "\"", with: "'")
        headers[.wwwAuthenticate] = "Bearer realm=\"wasm-orchestrator\", error=\"invalid_token\", error_description=\"\(quoted)\""
        return APIError(status: .unauthorized, slug: "unauthorized", detail: detail, headers: headers)
    }

    public static func forbidden(detail: String) -> APIError {
        APIError(status: .forbidden, slug: "forbidden", detail: detail)
    }

    public static func notFound(detail: String) -> APIError {
        APIError(status: .notFound, slug: "not-found", detail: detail)
    }

    public static func unsupportedMediaType(detail: String) -> APIError {
        APIError(status: .unsupportedMediaType, slug: "unsupported-media-type", detail: detail)
    }

    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, slug: "payload-too-large", detail: "the request body exceeds the limit of \(limit) bytes")
    }

    /// 503 with `Retry-After`, for a dependency that is down.
    public static func unavailable(dependency: String, retryAfterSeconds: Int = 5) -> APIError {
        var headers = HTTPFields()
        headers[.retryAfter] = String(retryAfterSeconds)
        return APIError(
            status: .serviceUnavailable, slug: "dependency-unavailable",
            detail: "a required dependency (\(dependency)) is unavailable; retry later", headers: headers)
    }
}
