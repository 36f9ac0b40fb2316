import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import OrchestratorPorts
import S3BlobStore
import Testing

/// An S3 endpoint that sends its answer's head at once and then stalls: every
/// call must end at the client's `requestTimeout`, not never (AsyncHTTPClient's
/// own deadline stops at the head).
@Suite("S3 answers that stall after their head")
struct StalledAnswerTests {
    /// One byte of the body, then nothing until `released` (the server's
    /// shutdown waits for its responses, so the stall must end with the test).
    static func stalling(_ headers: HTTPFields = [:], until released: NIOLockedValueBox<Bool>) -> Response {
        Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "<"))
                while !released.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(50)) }
                try await writer.finish(nil)
            })
    }

    static func withStallingS3(_ body: @Sendable (S3Client) async throws -> Void) async throws {
        let released = NIOLockedValueBox(false)
        let router = Router()
        router.get("/bucket") { _, _ in Self.stalling(until: released) }
        router.get("/bucket/**") { _, _ in Self.stalling([.contentLength: "1024"], until: released) }
        router.delete("/bucket/**") { _, _ in Self.stalling(until: released) }
        router.put("/bucket/**") { request, _ in
            _ = try await request.body.collect(upTo: 1 << 20)
            return Self.stalling(until: released)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let configuration = S3Configuration(
                endpoint: "http://127.0.0.1:\(try #require(client.port))", bucket: "bucket", region: "us-east-1",
                credentials: SigV4Credentials(accessKey: "AKIDEXAMPLE", secretKey: "secret"), requestTimeout: .seconds(10))
            defer { released.withLockedValue { $0 = true } }
            try await body(S3Client(configuration: configuration))
        }
    }

    /// Runs `call`, expecting it to fail, and returns how long it took. Without
    /// a deadline over the body it never ends (the test's time limit stops that
    /// failure). The timeout is 10 s, not less: on a loaded CI machine even the
    /// head of an answer once took longer than 1 s. 40 s leaves the margin.
    static func failureTime(_ call: @Sendable () async throws -> Void) async -> Duration {
        let started = ContinuousClock.now
        await #expect(throws: (any Error).self) { try await call() }
        return ContinuousClock.now - started
    }

    @Test("list, bucket check, delete and put end at the request timeout", .timeLimit(.minutes(4)))
    func wholeAnswers() async throws {
        try await Self.withStallingS3 { s3 in
            #expect(await Self.failureTime { _ = try await s3.listObjects(prefix: "", startAfter: nil, maxKeys: 10) } < .seconds(40))
            #expect(await Self.failureTime { try await s3.checkBucket() } < .seconds(40))
            #expect(await Self.failureTime { try await s3.deleteObject(key: "k") } < .seconds(40))
            let bytes = ByteBuffer(string: "hello")
            let upload = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                continuation.yield(bytes)
                continuation.finish()
            }
            #expect(
                await Self.failureTime {
                    try await s3.putObject(key: "k", size: 5, sha256Hex: SigV4Signer.emptyPayloadHash, body: upload)
                } < .seconds(40))
        }
    }

    @Test("a streamed object whose bytes stop arriving ends with DeadlineExceededError", .timeLimit(.minutes(2)))
    func streamedObject() async throws {
        try await Self.withStallingS3 { s3 in
            let object = try #require(try await s3.getObject(key: "k"))
            #expect(object.size == 1024)
            let started = ContinuousClock.now
            var received = 0
            await #expect(throws: DeadlineExceededError.self) {
                for try await chunk in object.body { received += chunk.readableBytes }
            }
            #expect(received == 1, "the byte sent before the stall arrives")
            #expect(ContinuousClock.now - started < .seconds(40))
        }
    }
}
