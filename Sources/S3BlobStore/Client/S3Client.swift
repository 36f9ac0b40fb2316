import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A minimal S3 client over AsyncHTTPClient with our own SigV4 signing.
///
/// Only the calls the blob store needs: put, get, head, delete, bucket
/// create/check, and presigned GET URLs.
public struct S3Client: Sendable {
    public let configuration: S3Configuration
    let httpClient: HTTPClient
    let signer: SigV4Signer
    /// Seconds since 1970; injectable so signatures are reproducible in tests.
    let clock: @Sendable () -> Int

    public init(
        configuration: S3Configuration, httpClient: HTTPClient = .shared, clock: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
        self.clock = clock
    }

    /// Uploads `size` bytes from `body` to `key`; `sha256Hex` is sent as the signed payload hash,
    /// so AWS S3 verifies it (SeaweedFS 4.48 does not check it).
    public func putObject(key: String, size: Int, sha256Hex: String, body: AsyncThrowingStream<ByteBuffer, any Error>) async throws {
        let response = try await send(
            "PUT", path: objectPath(key), payloadHash: sha256Hex,
            headers: [("content-length", String(size)), ("content-type", "application/octet-stream")],
            body: .stream(body, length: .known(Int64(size))))
        try await expectSuccess(response, operation: "PutObject")
    }

    /// The object's size, or `nil` when it does not exist.
    public func headObject(key: String) async throws -> Int? {
        let response = try await send("HEAD", path: objectPath(key))
        if response.status == .notFound { return nil }
        try await expectSuccess(response, operation: "HeadObject", keepBody: true)
        return response.headers.first(name: "content-length").flatMap(Int.init)
    }

    /// Opens the object for streaming, or `nil` when it does not exist.
    public func getObject(key: String) async throws -> (size: Int, body: HTTPClientResponse.Body)? {
        let response = try await send("GET", path: objectPath(key))
        if response.status == .notFound { return nil }
        try await expectSuccess(response, operation: "GetObject", keepBody: true)
        let size = response.headers.first(name: "content-length").flatMap(Int.init) ?? 0
        return (size, response.body)
    }

    public func deleteObject(key: String) async throws {
        let response = try await send("DELETE", path: objectPath(key))
        if response.status == .notFound { return }
        try await expectSuccess(response, operation: "DeleteObject")
    }

    /// Lists at most one key: a cheap authenticated round trip that returns an
    /// XML error (and so a clear code) when the credentials or bucket are wrong.
    public func checkBucket() async throws {
        let response = try await send("GET", path: "/\(configuration.bucket)", query: [("list-type", "2"), ("max-keys", "1")])
        try await expectSuccess(response, operation: "ListObjectsV2")
    }

    /// Creates the bucket; an existing bucket we own is fine.
    public func createBucket() async throws {
        let response = try await send("PUT", path: "/\(configuration.bucket)")
        if response.status == .conflict { return }  // BucketAlreadyOwnedByYou / BucketAlreadyExists
        try await expectSuccess(response, operation: "CreateBucket")
    }

    /// A URL anyone can GET until it expires.
    public func presignedGetURL(key: String, expiresInSeconds: Int) -> String {
        signer.presignedURL(
            SigV4Request(method: "GET", path: objectPath(key)),
            origin: configuration.endpoint, expiresInSeconds: expiresInSeconds, epochSeconds: clock())
    }

    func objectPath(_ key: String) -> String {
        "/\(configuration.bucket)/\(key)"
    }

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
        let timeout = TimeAmount.nanoseconds(Int64(configuration.requestTimeout.components.seconds) * 1_000_000_000)
        return try await httpClient.execute(request, timeout: timeout)
    }

    /// Throws ``S3Error`` for a non-2xx answer. On success the body is drained
    /// (so the connection returns to the pool) unless the caller streams it.
    func expectSuccess(_ response: HTTPClientResponse, operation: String, keepBody: Bool = false) async throws {
        guard !(200..<300).contains(response.status.code) else {
            if !keepBody { _ = try await response.body.collect(upTo: 1024 * 1024) }
            return
        }
        var code: String?
        if let body = try? await response.body.collect(upTo: 64 * 1024) {
            code = S3Error.code(fromXML: String(buffer: body))
        }
        if code == nil, response.status == .forbidden { code = "AccessDenied" }
        throw S3Error(status: Int(response.status.code), code: code, operation: operation)
    }
}
