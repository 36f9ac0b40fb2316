import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OrchestratorPorts

/// Takes the caller's `X-Request-ID` when it is sane, or makes one; puts it in
/// every log line of the request (`request_id`) and on the response. It is also bound as
/// ``RequestLogContext/requestID`` while the request is handled, so the use cases' own loggers
/// carry it too (through the metadata provider installed at logging bootstrap).
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = OrchestratorRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestID = Self.accept(request.headers[.requestID]) ?? UUID().uuidString.lowercased()
        context.requestID = requestID
        context.logger[metadataKey: "request_id"] = .string(requestID)
        var response: Response
        do {
            response = try await RequestLogContext.$requestID.withValue(requestID) { try await next(request, context) }
        } catch {
            // Only reached if an inner middleware did not translate; keep the contract anyway.
            let (apiError, _) = ErrorTranslation.translate(error)
            response = ProblemMiddleware.response(for: apiError, requestID: requestID)
        }
        response.headers[.requestID] = requestID
        return response
    }

    /// A client-supplied id is kept only if it is 1–128 characters of `[A-Za-z0-9._:-]`,
    /// so it cannot inject into logs or headers.
    static func accept(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count) else { return nil }
        let allowed = value.utf8.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
        }
        return allowed ? value : nil
    }
}

extension HTTPField.Name {
    /// `X-Request-ID`.
    public static let requestID = Self("X-Request-ID")!
}
