import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Connection-level handling of request bodies the application does not read.
///
/// **Answering before the body is in.** A route may refuse a request (413 for a
/// declared size over its limit, 401, 403) before the client has sent its body.
/// A client that writes the whole body before it reads (Python `urllib`,
/// `requests`) would then either block on a full socket or, if the server simply
/// closed, get a reset and never see the answer. So, as nginx's lingering close
/// does: a final response that goes out while the request body is still
/// arriving gets `Connection: close`; after it, the rest of the body is read and
/// discarded — never handed to the application — for at most ``lingerSeconds``
/// (and ``lingerIdleSeconds`` without data, and ``lingerBytes``), then the
/// connection is closed. The client reads its answer; nothing is buffered. A
/// declared rest of at most ``keepAliveDrainBytes`` is left to the server, which
/// reads and discards it and keeps the connection (unless the client still waits
/// for a `100 Continue`, which it will not get: then the connection is closed).
///
/// **`Expect: 100-continue`.** The interim `100 Continue` is written by the
/// application when a handler first reads the body (`ExpectContinueMiddleware`);
/// this handler only makes sure none goes out for a declared `Content-Length`
/// over the largest body any route accepts, whatever a handler does.
final class RequestBodyGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let lingerSeconds: Int64 = 30
    static let lingerIdleSeconds: Int64 = 5
    static let lingerBytes = 256 * 1_048_576

    /// The largest request body any route accepts; a larger declared length gets no `100 Continue`.
    let maxBodyBytes: Int

    private enum State {
        /// Between requests, or the request body has been received in full.
        case idle
        /// A request head arrived; its body (possibly empty) has not ended yet.
        case receiving
        /// A final response was written before the body ended: close once the response is out.
        case closeAfterResponse
        /// The response is out; the rest of the body is being discarded until the connection closes.
        case lingering(discarded: Int)
    }

    private var state = State.idle
    /// What is left of the current request's declared body (`nil`: chunked, unknown).
    private var remainingBytes: Int?
    /// The current request asked for `100 Continue`, which has not been sent.
    private var awaitsContinue = false
    /// A rest this small is simply read and discarded by the server, keeping the connection alive.
    static let keepAliveDrainBytes = 1_048_576
    /// The current request declared more than any route accepts: its `100 Continue` is dropped.
    private var refusesContinue = false
    private var lingerTimer: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (state, part) {
        case (.lingering(let discarded), .body(let buffer)):
            let total = discarded + buffer.readableBytes
            if total > Self.lingerBytes {
                context.close(promise: nil)
            } else {
                state = .lingering(discarded: total)
                armIdleTimer(context)
            }
        case (.lingering, .end), (.lingering, .head):
            context.close(promise: nil)
        case (.closeAfterResponse, .body):
            break  // the answer is already decided; the application never sees the rest
        case (.closeAfterResponse, .end):
            state = .idle
        case (_, .head(let head)):
            state = .receiving
            refusesContinue = declaresTooMuch(head)
            remainingBytes = head.headerFields[.contentLength].flatMap(Int.init)
            awaitsContinue = head.headerFields[.expect]?.lowercased() == "100-continue"
            context.fireChannelRead(data)
        case (.receiving, .body(let buffer)):
            remainingBytes = remainingBytes.map { $0 - buffer.readableBytes }
            context.fireChannelRead(data)
        case (_, .end):
            state = .idle
            context.fireChannelRead(data)
        default:
            context.fireChannelRead(data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status == .continue && refusesContinue:
            promise?.succeed()  // the route will refuse the declared size; the client must not send it
        case .head(let head) where head.status == .continue:
            awaitsContinue = false
            context.write(data, promise: promise)
        case .head(var head) where head.status.kind != .informational:
            // A small declared rest (and no client waiting for a 100 it will never get) is read and
            // discarded by the server as usual, and the connection stays open.
            if case .receiving = state, awaitsContinue || (remainingBytes ?? .max) > Self.keepAliveDrainBytes {
                state = .closeAfterResponse
                head.headerFields[.connection] = "close"
                context.write(wrapOutboundOut(.head(head)), promise: promise)
                return
            }
            context.write(data, promise: promise)
        case .end:
            guard case .closeAfterResponse = state else {
                context.write(data, promise: promise)
                return
            }
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            context.write(data, promise: written)
            written.futureResult.hop(to: context.eventLoop).whenComplete { [self] _ in startLingering(context) }
        default:
            context.write(data, promise: promise)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        lingerTimer?.cancel()
        idleTimer?.cancel()
        context.fireChannelInactive()
    }

    private func declaresTooMuch(_ head: HTTPRequest) -> Bool {
        guard let declared = head.headerFields[.contentLength].flatMap(Int.init) else { return false }
        return declared > maxBodyBytes
    }

    /// The response is flushed; discard what is left of the body, then close.
    private func startLingering(_ context: ChannelHandlerContext) {
        guard case .closeAfterResponse = state else {
            // The body ended while the response was being written: nothing left to read.
            context.close(promise: nil)
            return
        }
        state = .lingering(discarded: 0)
        lingerTimer = context.eventLoop.scheduleTask(in: .seconds(Self.lingerSeconds)) { context.close(promise: nil) }
        armIdleTimer(context)
        context.read()
    }

    private func armIdleTimer(_ context: ChannelHandlerContext) {
        idleTimer?.cancel()
        idleTimer = context.eventLoop.scheduleTask(in: .seconds(Self.lingerIdleSeconds)) { context.close(promise: nil) }
    }
}
