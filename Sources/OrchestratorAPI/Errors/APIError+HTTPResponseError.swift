import Foundation
import Hummingbird

extension APIError: HTTPResponseError {
    /// The RFC 9457 problem+json answer; `instance` is the request id of an API request context.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        problemResponse(requestID: (context as? OrchestratorRequestContext)?.requestID ?? "")
    }

    /// The problem document with this error's status and headers, `Content-Type: application/problem+json`
    /// and `Cache-Control: no-store`.
    func problemResponse(requestID: String) -> Response {
        let problem = ProblemDetails(
            type: ProblemDetails.typeURI(slug), title: status.reasonPhrase, status: status.code, detail: detail, instance: requestID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(problem)) ?? Data()
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
