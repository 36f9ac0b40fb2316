import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import OrchestratorApp
import OrchestratorAuth
import OrchestratorConfig
import OrchestratorDomain
import Testing

/// The whole server on PostgreSQL, Redis and SeaweedFS, and with each of them broken.
@Suite("Server on the production stack")
struct ProductionStackTests {
    static let secret = String(repeating: "0123456789abcdef", count: 3)

    /// Runs a live server configured through the environment, as an operator would.
    static func withServer(
        _ environment: [String: String],
        waitForSchema: Bool = true,
        _ body: @Sendable @escaping (any TestClientProtocol) async throws -> Void
    ) async throws {
        let dataDirectory = NSTemporaryDirectory() + uniqueName("prod")
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        var environment = environment
        environment["AUTH_JWT_SECRET"] = secret
        environment["DATABASE_CONNECT_RETRY_MAX_SECONDS"] = "1"
        let reader = try await ConfigSources.reader(
            flags: ["data.dir": dataDirectory, "server.port": "0"], environment: environment, configFile: nil)
        var logger = Logger(label: "test.prod")
        logger.logLevel = .critical
        let server = try await buildApplication(settings: try OrchestratorSettings(reader: reader), logger: logger)
        try await server.application.test(.live) { client in
            if waitForSchema {
                for _ in 0..<750 where !server.gate.isOpen { try await Task.sleep(for: .milliseconds(20)) }
                #expect(server.gate.isOpen, "migrations did not complete")
            }
            try await body(client)
        }
    }

    static func productionEnvironment(database: String) throws -> [String: String] {
        [
            "DATABASE_URL": try PostgresTestDatabase.url(database: database),
            "REDIS_URL": try TestServices.require("TEST_REDIS_URL"),
            "S3_ENDPOINT": try TestServices.require("TEST_S3_ENDPOINT"),
            "S3_BUCKET": try TestServices.require("TEST_S3_BUCKET"),
            "S3_REGION": TestServices.value("TEST_S3_REGION") ?? "us-east-1",
            "S3_ACCESS_KEY": try TestServices.require("TEST_S3_ACCESS_KEY"),
            "S3_SECRET_KEY": try TestServices.require("TEST_S3_SECRET_KEY"),
        ]
    }

    static func adminToken() async throws -> String {
        try await TokenIssuer.make(settings: AuthSettings(secret: secret)).issue(subject: "alice", role: .admin, ttlSeconds: 300)
    }

    static func readiness(_ client: any TestClientProtocol, path: String = "/health/ready") async throws -> (Int, [String: Any]) {
        try await client.execute(uri: path, method: .get) { response throws in
            (response.status.code, try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]))
        }
    }

    static var allServices: Bool { TestServices.hasPostgres && TestServices.hasRedis && TestServices.hasS3 }

    @Test("all dependencies healthy: ready names postgresql, redis and minio; the API works", .enabled(if: allServices))
    func healthy() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            let token = try await Self.adminToken()
            try await Self.withServer(try Self.productionEnvironment(database: database)) { client in
                var (status, body) = try await Self.readiness(client)
                for _ in 0..<50 where status != 200 {  // the Redis subscriber connects in the background
                    try await Task.sleep(for: .milliseconds(100))
                    (status, body) = try await Self.readiness(client)
                }
                #expect(status == 200)
                #expect(body["status"] as? String == "Healthy")
                #expect(body["dependencies"] as? [String: String] == ["postgresql": "Healthy", "redis": "Healthy", "minio": "Healthy"])
                try await client.execute(uri: "/api/v1/wasm/auth/whoami", method: .get, headers: [.authorization: "Bearer \(token)"]) {
                    #expect($0.status == .ok)
                }
                // A write goes to PostgreSQL's audit log.
                try await client.execute(
                    uri: "/api/v1/wasm/auth/tokens", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"subject":"ci","role":"viewer"}"#)
                ) { #expect($0.status == .created) }
            }
        }
    }

    @Test("Redis down: liveness and readiness say Degraded with 200, and the API still answers", .enabled(if: allServices))
    func redisDown() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            var environment = try Self.productionEnvironment(database: database)
            environment["REDIS_URL"] = "redis://127.0.0.1:\(try FaultTests.closedPort())"
            let token = try await Self.adminToken()
            try await Self.withServer(environment) { client in
                // Liveness shows the background pings' latest round (every 5 s, each within 1 s): wait for one in which
                // PostgreSQL and S3 answered in time, which a loaded machine may delay.
                var live: [String: Any] = [:]
                for _ in 0..<60 {
                    let (liveStatus, body) = try await Self.readiness(client, path: "/health")
                    #expect(liveStatus == 200)
                    live = body
                    if live["status"] as? String == "Degraded" { break }
                    try await Task.sleep(for: .milliseconds(500))
                }
                #expect(live["status"] as? String == "Degraded")
                #expect(live["dependencies"] as? [String: String] == ["postgresql": "Healthy", "redis": "Unhealthy", "minio": "Healthy"])
                let (status, body) = try await Self.readiness(client)
                #expect(status == 200)
                #expect(body["status"] as? String == "Degraded")
                #expect((body["dependencies"] as? [String: String])?["redis"] == "Unhealthy")
                try await client.execute(uri: "/api/v1/wasm/auth/whoami", method: .get, headers: [.authorization: "Bearer \(token)"]) {
                    #expect($0.status == .ok)
                }
            }
        }
    }

    @Test("PostgreSQL unreachable at start: no crash, readiness 503 naming postgresql, API 503 with Retry-After, liveness 200 saying so")
    func postgresDown() async throws {
        let environment = ["DATABASE_URL": "postgres://postgres@127.0.0.1:\(try FaultTests.closedPort())/postgres"]
        let token = try await Self.adminToken()
        try await Self.withServer(environment, waitForSchema: false) { client in
            // Liveness stays 200 and says why readiness fails, without waiting on the dead database.
            let started = ContinuousClock.now
            let (liveStatus, live) = try await Self.readiness(client, path: "/health")
            #expect(ContinuousClock.now - started < .seconds(10), "it waits on no dependency; generous for a loaded CI machine")
            #expect(liveStatus == 200)
            #expect(live["status"] as? String == "Unhealthy")
            #expect((live["dependencies"] as? [String: String])?["postgresql"] == "Unhealthy")
            #expect(live["version"] as? String != nil && live["uptime"] as? String != nil)
            let (status, body) = try await Self.readiness(client)
            #expect(status == 503)
            #expect(body["status"] as? String == "Unhealthy")
            #expect((body["dependencies"] as? [String: String])?["postgresql"] == "Unhealthy")
            try await client.execute(uri: "/api/v1/wasm/auth/whoami", method: .get, headers: [.authorization: "Bearer \(token)"]) { response throws in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] != nil)
                #expect(response.headers[.contentType] == "application/problem+json")
                let text = String(buffer: response.body)
                #expect(text.contains("postgresql") && !text.contains("PSQLError") && !text.contains("connection"))
            }
        }
    }

    @Test("S3 with a wrong key: readiness 503 naming minio", .enabled(if: allServices))
    func s3WrongKey() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            var environment = try Self.productionEnvironment(database: database)
            environment["S3_ACCESS_KEY"] = "WRONGKEY"
            try await Self.withServer(environment) { client in
                let (status, body) = try await Self.readiness(client)
                #expect(status == 503)
                #expect((body["dependencies"] as? [String: String])?["minio"] == "Unhealthy")
                #expect((body["dependencies"] as? [String: String])?["postgresql"] == "Healthy")
            }
        }
    }
}
