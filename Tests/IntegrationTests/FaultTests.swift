import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import OrchestratorDomain
import OrchestratorPorts
import PostgresMetadataStore
import PostgresNIO
import RedisCache
import S3BlobStore
import SQLMetadataStore
import Testing

/// Dependencies that are down or misconfigured fail fast with ``DependencyUnavailableError``.
@Suite("Faults: unreachable and misconfigured dependencies")
struct FaultTests {
    /// A loopback port with nothing listening (bound, then released).
    static func closedPort() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).wait()
        let port = channel.localAddress!.port!
        try channel.close().wait()
        return port
    }

    @Test("an unreachable PostgreSQL answers DependencyUnavailable within the deadline")
    func postgresDown() async throws {
        let configuration = try PostgresURL.configuration(from: "postgres://postgres@127.0.0.1:\(try Self.closedPort())/postgres")
        let started = ContinuousClock.now
        try await PostgresTestDatabase.withClient(configuration) { client in
            let store = PostgresMetadataStore(client: client, logger: Logger(label: "test"), queryTimeout: .seconds(2))
            await #expect(throws: DependencyUnavailableError.self) { try await store.ping() }
            await #expect(throws: DependencyUnavailableError.self) { try await store.migrate([]) }
        }
        #expect(ContinuousClock.now - started < .seconds(20))  // two 2 s deadlines; generous for a loaded 2-core CI machine
    }

    @Test("an unreachable Redis answers DependencyUnavailable promptly")
    func redisDown() async throws {
        let cache = RedisCache(endpoint: RedisEndpoint(host: "127.0.0.1", port: try Self.closedPort()), logger: Logger(label: "test"))
        try await withRunning([cache]) {
            let started = ContinuousClock.now
            await #expect(throws: DependencyUnavailableError.self) { _ = try await cache.get("k") }
            await #expect(throws: DependencyUnavailableError.self) { try await cache.set("k", value: "v", ttlSeconds: 1) }
            await #expect(throws: DependencyUnavailableError.self) { try await cache.ping() }
            #expect(ContinuousClock.now - started < .seconds(10))  // generous for a loaded 2-core CI machine
        }
        try await cache.shutdown()
    }

    @Test("Redis refuses a wrong password with a clear error", .enabled(if: TestServices.hasRedis))
    func redisWrongPassword() async throws {
        var endpoint = try RedisEndpoint(url: try TestServices.require("TEST_REDIS_URL"))
        endpoint = RedisEndpoint(host: endpoint.host, port: endpoint.port, password: "wrong", database: 0)
        let cache = RedisCache(endpoint: endpoint, logger: Logger(label: "test"))
        try await withRunning([cache]) {
            do {
                _ = try await cache.get("k")
                Issue.record("AUTH with a wrong password must fail")
            } catch let error as DependencyUnavailableError {
                #expect(error.reason.contains("AUTH"))
            }
        }
        try await cache.shutdown()
    }

    @Test("S3 with a wrong access key or secret fails clearly; SeaweedFS enforces auth", .enabled(if: TestServices.hasS3))
    func s3WrongKey() async throws {
        let wrongKey = try BlobBackend.s3Client(accessKey: "NOSUCHKEY")
        do {
            try await wrongKey.checkBucket()
            Issue.record("a wrong access key must be refused")
        } catch let error as S3Error {
            #expect(error.code == "InvalidAccessKeyId")
            #expect(error.isCredentialError)
        }
        let wrongSecret = try BlobBackend.s3Client(secretKey: "not-the-secret")
        do {
            try await wrongSecret.checkBucket()
            Issue.record("a wrong secret must be refused")
        } catch let error as S3Error {
            #expect(error.code == "SignatureDoesNotMatch")
        }
        // The blob store turns it into a 503-worthy error whose log reason names the fix.
        let store = S3BlobStore(client: wrongKey, spoolDirectory: NSTemporaryDirectory() + uniqueName("spool"), logger: Logger(label: "test"))
        do {
            try await store.ping()
            Issue.record("ping with a wrong key must fail")
        } catch let error as DependencyUnavailableError {
            #expect(error.dependency == "minio")
            #expect(error.reason.contains("InvalidAccessKeyId") && error.reason.contains("s3.accessKey"))
        }
        // And an unsigned request is refused by the server itself.
        let endpoint = try TestServices.require("TEST_S3_ENDPOINT")
        let bucket = try TestServices.require("TEST_S3_BUCKET")
        let anonymous = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(endpoint)/\(bucket)?list-type=2"), timeout: .seconds(10))
        #expect(anonymous.status.code == 403)
    }

    @Test("S3 down: uploads fail with DependencyUnavailable and leave no spool files")
    func s3Down() async throws {
        let spool = NSTemporaryDirectory() + uniqueName("spool")
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let client = S3Client(
            configuration: S3Configuration(
                endpoint: "http://127.0.0.1:\(try Self.closedPort())", bucket: "b", region: "us-east-1",
                credentials: SigV4Credentials(accessKey: "a", secretKey: "s"), requestTimeout: .seconds(5)))
        let store = S3BlobStore(client: client, spoolDirectory: spool, logger: Logger(label: "test"))
        await #expect(throws: DependencyUnavailableError.self) { _ = try await store.put(Payload.stream(Payload.random(1000)), maxBytes: 1 << 20) }
        await #expect(throws: DependencyUnavailableError.self) { _ = try await store.get(.init(bytes: [UInt8](repeating: 0, count: 32))) }
        let leftovers = (FileManager.default.enumerator(atPath: spool)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".part") }
        #expect(leftovers.isEmpty)
    }
}
