import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// `Expect: 100-continue` (RFC 9110 §10.1.1): the interim `100 Continue` is sent
/// only when the handler starts to read the body.
///
/// A request the route refuses before reading (401, 403, an early 413 for a
/// declared length over its limit) gets that final answer instead, so the client
/// never uploads what will be refused; the connection-level body guard then
/// closes it. `curl -T` and other clients that wait for the 100 no longer stall.
public struct ExpectContinueMiddleware: RouterMiddleware {
    public typealias Context = OrchestratorRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[.expect]?.lowercased() == "100-continue", let channel = context.channel else {
            return try await next(request, context)
        }
        var request = request
        request.body = RequestBody(asyncSequence: ContinueOnFirstRead(body: request.body, channel: channel))
        return try await next(request, context)
    }
}

/// A request body that writes `100 Continue` before its first read.
struct ContinueOnFirstRead: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let body: RequestBody
    let channel: any Channel

    struct AsyncIterator: AsyncIteratorProtocol {
        var body: RequestBody.AsyncIterator
        let channel: any Channel
        var continued = false

        mutating func next() async throws -> ByteBuffer? {
            if !continued {
                continued = true
                try await channel.writeAndFlush(HTTPResponsePart.head(HTTPResponse(status: .continue)))
            }
            return try await body.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(body: body.makeAsyncIterator(), channel: channel)
    }
}
