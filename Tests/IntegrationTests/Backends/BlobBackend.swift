import AsyncHTTPClient
import FileBlobStore
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import OrchestratorPorts
import S3BlobStore
import Testing

/// The blob store implementations the contract suite runs against.
enum BlobBackend: String, CaseIterable, CustomTestStringConvertible {
    case files
    case s3

    var testDescription: String { rawValue }

    static var available: [BlobBackend] {
        TestServices.hasS3 ? [.files, .s3] : [.files]
    }

    /// Runs `body` with a store over a fresh directory (files) or the test bucket (S3).
    func withStore<T: Sendable>(_ body: @Sendable (any BlobStore, _ scratch: String) async throws -> T) async throws -> T {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("blobs")).path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        switch self {
        case .files:
            return try await body(FileBlobStore(root: scratch), scratch)
        case .s3:
            return try await body(
                S3BlobStore(client: try Self.s3Client(), spoolDirectory: scratch + "/spool", logger: Logger(label: "test.s3")), scratch)
        }
    }

    static func s3Client(accessKey: String? = nil, secretKey: String? = nil) throws -> S3Client {
        S3Client(
            configuration: S3Configuration(
                endpoint: try TestServices.require("TEST_S3_ENDPOINT"),
                bucket: try TestServices.require("TEST_S3_BUCKET"),
                region: TestServices.value("TEST_S3_REGION") ?? "us-east-1",
                credentials: SigV4Credentials(
                    accessKey: try accessKey ?? TestServices.require("TEST_S3_ACCESS_KEY"),
                    secretKey: try secretKey ?? TestServices.require("TEST_S3_SECRET_KEY"))))
    }
}

/// Test payloads streamed in chunks, the way an upload arrives.
enum Payload {
    static func random(_ size: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    static func stream(_ bytes: [UInt8], chunk: Int = 64 * 1024) -> AsyncThrowingStream<ByteBuffer, any Error> {
        let cursor = Cursor()
        return AsyncThrowingStream {
            let offset = cursor.advance(by: chunk)
            guard offset < bytes.count else { return nil }
            return ByteBuffer(bytes: bytes[offset..<min(offset + chunk, bytes.count)])
        }
    }

    /// The unfolding closure is called serially; the lock only satisfies Sendable.
    final class Cursor: Sendable {
        private let offset = NIOLockedValueBox(0)
        func advance(by step: Int) -> Int {
            offset.withLockedValue { value in
                defer { value += step }
                return value
            }
        }
    }

    /// An endless body: only a store that stops reading at the limit returns.
    static func endless() -> AsyncThrowingStream<ByteBuffer, any Error> {
        let chunk = ByteBuffer(repeating: 0x61, count: 64 * 1024)
        return AsyncThrowingStream { chunk }
    }

    static func collect(_ body: AsyncThrowingStream<ByteBuffer, any Error>) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await buffer in body { bytes += buffer.readableBytesView }
        return bytes
    }
}
