import Foundation
import Hummingbird
import Logging

/// Turns every thrown error into an RFC 9457 `application/problem+json` response.
///
/// Sits inside ``RequestIDMiddleware`` so `instance` is the request id, and
/// inside the metrics middleware so the final status is what gets counted.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = OrchestratorRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let (apiError, unexpected) = ErrorTranslation.translate(error)
            if unexpected {
                context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            } else if apiError.status == .serviceUnavailable {
                context.logger.warning("dependency unavailable", metadata: ["error": "\(String(reflecting: error))"])
            } else {
                context.logger.debug("request failed", metadata: ["status": "\(apiError.status.code)", "detail": "\(apiError.detail)"])
            }
            return try apiError.response(from: request, context: context)
        }
    }

    /// Builds the problem response for an error.
    public static func response(for error: APIError, requestID: String) -> Response {
        error.problemResponse(requestID: requestID)
    }
}
