import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OrchestratorPorts

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
        let answer = try await exchange(
            "PUT", path: objectPath(key), payloadHash: sha256Hex,
            headers: [("content-length", String(size)), ("content-type", "application/octet-stream")],
            body: .stream(body, length: .known(Int64(size))))
        try answer.expectSuccess("PutObject")
    }

    /// The object's size, or `nil` when it does not exist.
    public func headObject(key: String) async throws -> Int? {
        let answer = try await exchange("HEAD", path: objectPath(key))
        if answer.status == .notFound { return nil }
        try answer.expectSuccess("HeadObject")
        return answer.headers.first(name: "content-length").flatMap(Int.init)
    }

    /// Opens the object for streaming, or `nil` when it does not exist.
    ///
    /// The body ends with ``DeadlineExceededError`` when S3 sends no byte for
    /// `requestTimeout`: AsyncHTTPClient's own deadline stops at the response
    /// head, so a stalled body would otherwise hold the download for ever.
    public func getObject(key: String) async throws -> (size: Int, body: AsyncThrowingStream<ByteBuffer, any Error>)? {
        let response = try await send("GET", path: objectPath(key))
        guard (200..<300).contains(response.status.code) else {
            let answer = try await withDeadline(configuration.requestTimeout) { try await S3Answer(reading: response) }
            if answer.status == .notFound { return nil }
            throw answer.failure("GetObject")
        }
        let size = response.headers.first(name: "content-length").flatMap(Int.init) ?? 0
        return (size, IdleBoundedBody.stream(response.body, idle: configuration.requestTimeout))
    }

    public func deleteObject(key: String) async throws {
        let answer = try await exchange("DELETE", path: objectPath(key))
        if answer.status == .notFound { return }
        try answer.expectSuccess("DeleteObject")
    }

    /// Lists at most one key: a cheap authenticated round trip that returns an
    /// XML error (and so a clear code) when the credentials or bucket are wrong.
    public func checkBucket() async throws {
        try await exchange("GET", path: "/\(configuration.bucket)", query: [("list-type", "2"), ("max-keys", "1")]).expectSuccess("ListObjectsV2")
    }

    /// Creates the bucket; an existing bucket we own is fine.
    public func createBucket() async throws {
        let answer = try await exchange("PUT", path: "/\(configuration.bucket)")
        if answer.status == .conflict { return }  // BucketAlreadyOwnedByYou / BucketAlreadyExists
        try answer.expectSuccess("CreateBucket")
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
}
