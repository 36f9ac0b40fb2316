import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OrchestratorPorts

/// An S3 answer read whole: what every call but `GetObject` gets.
struct S3Answer: Sendable {
    /// Error documents and the small answers of put, head and delete are far below this.
    static let bodyLimit = 1024 * 1024

    let status: HTTPResponseStatus
    let headers: HTTPHeaders
    let body: ByteBuffer

    init(reading response: HTTPClientResponse, bodyLimit: Int = S3Answer.bodyLimit) async throws {
        status = response.status
        headers = response.headers
        body = try await response.body.collect(upTo: bodyLimit)
    }

    /// Throws ``S3Error`` unless the status is 2xx.
    func expectSuccess(_ operation: String) throws {
        guard (200..<300).contains(status.code) else { throw failure(operation) }
    }

    /// The error this answer stands for, with the `<Code>` of its XML body when there is one.
    func failure(_ operation: String) -> S3Error {
        var code = S3Error.code(fromXML: String(buffer: body))
        if code == nil, status == .forbidden { code = "AccessDenied" }
        return S3Error(status: Int(status.code), code: code, operation: operation)
    }
}

extension S3Client {
    /// Sends a signed request and reads its whole answer, all within
    /// `requestTimeout`. AsyncHTTPClient's deadline ends at the response head;
    /// this one also covers the body, so an S3 that stalls after its head
    /// cannot hold a request (and its caller) for ever.
    func exchange(
        _ method: String,
        path: String,
        query: [(String, String)] = [],
        payloadHash: String = SigV4Signer.emptyPayloadHash,
        headers extra: [(String, String)] = [],
        body: HTTPClientRequest.Body? = nil,
        bodyLimit: Int = S3Answer.bodyLimit
    ) async throws -> S3Answer {
        try await withDeadline(configuration.requestTimeout) {
            let response = try await send(method, path: path, query: query, payloadHash: payloadHash, headers: extra, body: body)
            return try await S3Answer(reading: response, bodyLimit: bodyLimit)
        }
    }

    /// Sends a signed request; returns at the response head, with the body still to read.
    func send(
        _ method: String,
        path: String,
        query: [(String, String)] = [],
        payloadHash: String = SigV4Signer.emptyPayloadHash,
        headers extra: [(String, String)] = [],
        body: HTTPClientRequest.Body? = nil
    ) async throws -> HTTPClientResponse {
        let host = SigV4Signer.hostHeader(origin: configuration.endpoint)
        let unsigned = SigV4Request(method: method, path: path, query: query, headers: [("host", host)] + extra)
        let signedHeaders = signer.signHeaders(unsigned, payloadHash: payloadHash, epochSeconds: clock())
        let queryString = unsigned.encodedQuery
        var request = HTTPClientRequest(url: configuration.endpoint + unsigned.encodedPath + (queryString.isEmpty ? "" : "?" + queryString))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in signedHeaders where name.lowercased() != "content-length" {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        if let body { request.body = body }
        return try await httpClient.execute(request, timeout: TimeAmount(configuration.requestTimeout))
    }
}

/// A streamed response body in which every chunk must arrive within `idle`,
/// or the stream ends with ``DeadlineExceededError``.
enum IdleBoundedBody {
    static func stream(_ body: HTTPClientResponse.Body, idle: Duration) -> AsyncThrowingStream<ByteBuffer, any Error> {
        let iterator = IteratorBox(body.makeAsyncIterator())
        return AsyncThrowingStream(unfolding: { try await withDeadline(idle) { try await iterator.next() } })
    }
}

/// Lets an `AsyncThrowingStream(unfolding:)` closure drive AsyncHTTPClient's
/// body iterator. The closure is only ever called serially (one `next()` at a
/// time, each awaited before the next), which is what makes this safe.
private final class IteratorBox: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator

    init(_ iterator: HTTPClientResponse.Body.AsyncIterator) {
        self.iterator = iterator
    }

    func next() async throws -> ByteBuffer? {
        try await iterator.next()
    }
}
