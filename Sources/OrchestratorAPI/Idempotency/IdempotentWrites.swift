import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Operations
import OrchestratorDomain
import OrchestratorPorts

/// `Idempotency-Key` on every write (POST, PUT, PATCH, DELETE) under `/api`.
///
/// Not a middleware on purpose: a write handler first authorizes its caller and
/// only then calls ``respond(to:context:scope:bodyLimit:_:)``, so nothing is
/// buffered, hashed or stored for a caller the route refuses, and a replay
/// re-runs the authorization decision before the stored answer is returned.
///
/// The key is scoped to the caller (subject *and* role) and bound to a
/// fingerprint of method, path and body: the same key and request replays the
/// stored answer (`Idempotency-Replayed: true`), the same key with another
/// request is 422, and a duplicate arriving while the first still runs is 409.
/// Answers below 500 are stored; refusals thrown as problems and 5xx are not, so
/// a retry is evaluated afresh; so are answers marked `Cache-Control: no-store`
/// (they carry one-time secrets, which are never stored). A request with a key
/// has its body buffered to fingerprint it, bounded by the route's own limit.
public struct IdempotentWrites: Sendable {
    static let header = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotency-Replayed")!
    /// The bound for routes that take no body (or a tiny one): what a stray body may be.
    static let smallBodyLimit = 16 * 1024

    /// The use case that claims, completes and releases keys (and owns their timing rules).
    let keys: IdempotencyKeys

    public init(keys: IdempotencyKeys) {
        self.keys = keys
    }

    /// Runs an authorized write once per `Idempotency-Key`.
    ///
    /// - Parameters:
    ///   - scope: whose key this is; the caller the route has just authorized.
    ///   - bodyLimit: the route's own body limit (413 above it), also the buffering bound.
    ///   - handler: the write, given the request (with its body buffered when a key is present).
    public func respond<Answer: ResponseGenerator>(
        to request: Request, context: OrchestratorRequestContext, scope: IdempotencyScope, bodyLimit: Int,
        _ handler: (Request) async throws -> Answer
    ) async throws -> Response {
        guard [.post, .put, .patch, .delete].contains(request.method), let key = request.headers[Self.header] else {
            return try await handler(request).response(from: request, context: context)
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw APIError.badRequest(detail: "'Idempotency-Key' must be 1–255 visible ASCII characters")
        }
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > bodyLimit {
            throw APIError.payloadTooLarge(limit: bodyLimit)
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: bodyLimit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge(limit: bodyLimit)
        }
        var hasher = SHA256()
        hasher.update(data: Array("\(request.method.rawValue) \(request.uri.description)\n".utf8))
        hasher.update(data: Array(body.readableBytesView))
        let fingerprint = ContentDigest(bytes: hasher.finalize()).hex
        let idempotencyKey = IdempotencyKey(scope: scope.value, key: key)
        switch try await keys.claim(idempotencyKey, fingerprint: fingerprint) {
        case .replay(let stored):
            return Self.response(stored)
        case .mismatch:
            throw APIError(
                status: .unprocessableContent, slug: "idempotency-key-reused",
                detail: "this Idempotency-Key was used for a different request (method, path or body); use a new key")
        case .inProgress:
            throw APIError(
                status: .conflict, slug: "idempotency-request-in-progress",
                detail: "a request with this Idempotency-Key is still being processed; retry later")
        case .claimed:
            break
        }
        let response: Response
        do {
            response = try await handler(request).response(from: request, context: context)
        } catch {
            await keys.release(idempotencyKey)
            throw error
        }
        return try await complete(idempotencyKey, with: response)
    }

    /// Stores the answer (unless it is a 5xx or carries a one-time secret) and returns it with its body in memory.
    private func complete(_ key: IdempotencyKey, with response: Response) async throws -> Response {
        guard response.status.code < 500, response.headers[.cacheControl]?.contains("no-store") != true else {
            await keys.release(key)
            return response
        }
        let collector = CollectingWriter()
        try await response.body.write(collector)
        let stored = StoredResponse(
            status: response.status.code,
            headers: response.headers.filter { $0.name != .contentLength && $0.name.canonicalName != "x-request-id" }.map {
                [$0.name.canonicalName, $0.value]
            },
            body: Array(collector.buffer.readableBytesView))
        await keys.complete(key, with: stored)
        var answer = Response(status: response.status, headers: response.headers, body: ResponseBody(byteBuffer: collector.buffer))
        answer.headers[.contentLength] = nil
        return answer
    }

    static func response(_ stored: StoredResponse) -> Response {
        var headers = HTTPFields()
        for pair in stored.headers where pair.count == 2 {
            if let name = HTTPField.Name(pair[0]) { headers.append(HTTPField(name: name, value: pair[1])) }
        }
        headers[replayed] = "true"
        return Response(
            status: HTTPResponse.Status(code: stored.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: stored.body)))
    }
}

/// Whose `Idempotency-Key` it is: the authorized caller, subject and role, so
/// the same subject under another role (a token minted with less) never replays
/// an answer given to the other.
public struct IdempotencyScope: Sendable, Hashable {
    public let value: String

    public static func principal(_ principal: Principal) -> IdempotencyScope {
        IdempotencyScope(value: principal.callerKey)
    }

    /// A node enrolling with a (checked) enrollment token; the token itself is never stored.
    public static func enrollment(_ token: String) -> IdempotencyScope {
        IdempotencyScope(value: "enrollment:" + ContentDigest(bytes: SHA256.hash(data: Array(token.utf8))).hex)
    }
}

/// Collects a response body in memory (write responses are small JSON documents).
final class CollectingWriter: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
