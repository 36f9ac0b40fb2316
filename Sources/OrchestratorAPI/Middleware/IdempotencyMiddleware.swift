import Crypto
import HTTPTypes
import Hummingbird
import NIOCore
import OrchestratorDomain
import OrchestratorPorts

/// `Idempotency-Key` on every write (POST, PUT, PATCH, DELETE) under `/api`.
///
/// The key is scoped to the caller and bound to a fingerprint of method,
/// path and body: the same key and request replays the stored answer
/// (`Idempotency-Replayed: true`), the same key with another request is 422,
/// and a duplicate arriving while the first still runs is 409. Answers below
/// 500 are stored; refusals thrown as problems and 5xx are not, so a retry is
/// evaluated afresh; so are answers marked `Cache-Control: no-store` (they carry
/// one-time secrets, which are never stored). A request with a key has its
/// body buffered to fingerprint it, bounded by the JSON limit (module uploads: the upload limit).
public struct IdempotencyMiddleware: RouterMiddleware {
    public typealias Context = OrchestratorRequestContext
    static let header = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotency-Replayed")!
    /// A claim older than this without an answer belongs to a crashed request and may be taken over.
    static let staleClaimSeconds = 300.0

    let store: any IdempotencyStore
    let ttlSeconds: Int
    /// The buffering limit for JSON bodies; binary module uploads (and the base64 JSON upload) use `maxUploadBytes`.
    let maxBodyBytes: Int
    let maxUploadBytes: Int
    let now: @Sendable () -> Double

    public init(store: any IdempotencyStore, ttlSeconds: Int, maxBodyBytes: Int, maxUploadBytes: Int, now: @escaping @Sendable () -> Double) {
        self.store = store
        self.ttlSeconds = ttlSeconds
        self.maxBodyBytes = maxBodyBytes
        self.maxUploadBytes = maxUploadBytes
        self.now = now
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch, .delete].contains(request.method), let key = request.headers[Self.header] else {
            return try await next(request, context)
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw APIError.badRequest(detail: "'Idempotency-Key' must be 1–255 visible ASCII characters")
        }
        guard let scope = context.principal?.subject ?? context.enrollmentToken.map({ "enrollment:" + ContentDigest(bytes: SHA256.hash(data: Array($0.utf8))).hex }) else {
            return try await next(request, context)
        }
        var request = request
        let isUpload = request.mediaType == "application/wasm" || request.uri.path == "/api/v1/wasm/modules"
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: isUpload ? maxUploadBytes : maxBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge(limit: isUpload ? maxUploadBytes : maxBodyBytes)
        }
        var hasher = SHA256()
        hasher.update(data: Array("\(request.method.rawValue) \(request.uri.description)\n".utf8))
        hasher.update(data: Array(body.readableBytesView))
        let fingerprint = ContentDigest(bytes: hasher.finalize()).hex
        let idempotencyKey = IdempotencyKey(scope: scope, key: key)
        let time = now()
        switch try await store.claimIdempotencyKey(
            idempotencyKey, fingerprint: fingerprint, at: time, expiresAt: time + Double(ttlSeconds), staleBefore: time - Self.staleClaimSeconds)
        {
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
            response = try await next(request, context)
        } catch {
            try? await store.releaseIdempotencyKey(idempotencyKey)
            throw error
        }
        // 5xx is retried afresh; answers carrying a one-time secret (node credentials,
        // enrollment tokens: `Cache-Control: no-store`) are never kept.
        guard response.status.code < 500, response.headers[.cacheControl]?.contains("no-store") != true else {
            try? await store.releaseIdempotencyKey(idempotencyKey)
            return response
        }
        let collector = CollectingWriter()
        try await response.body.write(collector)
        let stored = StoredResponse(
            status: response.status.code,
            headers: response.headers.filter { $0.name != .contentLength && $0.name.canonicalName != "x-request-id" }.map { [$0.name.canonicalName, $0.value] },
            body: Array(collector.buffer.readableBytesView))
        do {
            try await store.completeIdempotencyKey(idempotencyKey, response: stored)
        } catch {
            try? await store.releaseIdempotencyKey(idempotencyKey)
        }
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
        return Response(status: HTTPResponse.Status(code: stored.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: stored.body)))
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
