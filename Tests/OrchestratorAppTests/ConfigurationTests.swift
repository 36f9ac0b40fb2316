import Foundation
import OrchestratorAuth
import OrchestratorConfig
import OrchestratorDomain
import Testing

@Suite("Configuration: precedence, defaults and validation")
struct ConfigurationTests {
    private func settings(
        flags: [String: String] = [:], environment: [String: String] = [:], file: String? = nil
    ) async throws -> OrchestratorSettings {
        var path: String?
        if let file {
            path = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + ".json").path
            try file.write(toFile: path!, atomically: true, encoding: .utf8)
        }
        defer { path.map { try? FileManager.default.removeItem(atPath: $0) } }
        let reader = try await ConfigSources.reader(flags: flags, environment: environment, configFile: path)
        return try OrchestratorSettings(reader: reader)
    }

    private func expectInvalid(
        key: String, flags: [String: String] = [:], environment: [String: String] = [:], file: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        do {
            _ = try await settings(flags: flags, environment: environment, file: file)
            Issue.record("expected a ConfigurationError for \(key)", sourceLocation: sourceLocation)
        } catch let error as ConfigurationError {
            #expect(error.key == key, sourceLocation: sourceLocation)
            #expect(error.description.contains(key), sourceLocation: sourceLocation)
        }
    }

    @Test("with no configuration, the embedded default on 127.0.0.1:5000 under ./data")
    func defaults() async throws {
        let settings = try await settings()
        #expect(settings.server.host == "127.0.0.1")
        #expect(settings.server.port == 5000)
        #expect(settings.dataDirectory == "./data")
        #expect(settings.database.postgresURL == nil)
        #expect(settings.database.sqlitePath == "./data/orchestrator.sqlite")
        #expect(settings.database.migrateOnStart)
        #expect(settings.cache.redisURL == nil)
        #expect(settings.blobs.s3 == nil)
        #expect(settings.blobs.fileRoot == "./data/blobs")
        #expect(settings.auth.mayGenerateSecret)
        #expect(settings.server.idleTimeoutSeconds == 75)
    }

    @Test("flags beat the environment, which beats the file, which beats defaults")
    func precedence() async throws {
        let file = #"{"server":{"port":7000,"host":"10.0.0.1","idleTimeoutSeconds":30},"log":{"level":"debug"}}"#
        let fromFile = try await settings(file: file)
        #expect(fromFile.server.port == 7000)
        #expect(fromFile.server.host == "10.0.0.1")
        let fromEnvironment = try await settings(environment: ["SERVER_PORT": "6000"], file: file)
        #expect(fromEnvironment.server.port == 6000)
        #expect(fromEnvironment.server.host == "10.0.0.1")
        let fromFlags = try await settings(flags: ["server.port": "5500"], environment: ["SERVER_PORT": "6000"], file: file)
        #expect(fromFlags.server.port == 5500)
        #expect(fromFlags.server.idleTimeoutSeconds == 30)
        #expect(fromFlags.logLevel == "debug")
    }

    @Test("production settings come from the environment")
    func production() async throws {
        let settings = try await settings(environment: [
            "DATABASE_URL": "postgres://app:pw@db:5432/orch", "REDIS_URL": "redis://cache:6379/2",
            "S3_ENDPOINT": "http://s3:8333", "S3_BUCKET": "modules", "S3_ACCESS_KEY": "ak", "S3_SECRET_KEY": "sk",
            "AUTH_JWT_SECRET": String(repeating: "s", count: 40), "AUTH_JWT_ISSUER": "corp", "DATA_DIR": "/var/lib/orch",
        ])
        #expect(settings.database.postgresURL == "postgres://app:pw@db:5432/orch")
        #expect(settings.cache.redisURL == "redis://cache:6379/2")
        #expect(settings.blobs.s3?.bucket == "modules")
        #expect(settings.blobs.s3?.region == "us-east-1")
        #expect(settings.auth.settings.issuer == "corp")
        #expect(!settings.auth.mayGenerateSecret)
        #expect(settings.dataDirectory == "/var/lib/orch")
    }

    @Test("invalid values stop start-up naming the key")
    func invalid() async throws {
        try await expectInvalid(key: "server.port", environment: ["SERVER_PORT": "abc"])
        try await expectInvalid(key: "server.port", flags: ["server.port": "70000"])
        try await expectInvalid(key: "server.idleTimeoutSeconds", environment: ["SERVER_IDLE_TIMEOUT_SECONDS": "0"])
        try await expectInvalid(key: "log.level", environment: ["LOG_LEVEL": "loud"])
        try await expectInvalid(key: "database.url", environment: ["DATABASE_URL": "mysql://x"])
        try await expectInvalid(key: "database.migrateOnStart", environment: ["DATABASE_MIGRATE_ON_START": "maybe"])
        try await expectInvalid(key: "redis.url", environment: ["REDIS_URL": "rediss://x:6380"])
        try await expectInvalid(key: "auth.jwt.secret", environment: ["AUTH_JWT_SECRET": "too-short"])
        try await expectInvalid(key: "auth.jwt.algorithm", environment: ["AUTH_JWT_ALGORITHM": "none"])
        try await expectInvalid(key: "auth.jwt.publicKeyPath", environment: ["AUTH_JWT_ALGORITHM": "ES256"])
        try await expectInvalid(key: "auth.jwt.publicKeyPath", environment: ["AUTH_JWT_PUBLIC_KEY_PATH": "/nonexistent/key.pem"])
        try await expectInvalid(key: "server.tls.keyPath", environment: ["SERVER_TLS_CERTIFICATE_PATH": "/tmp/cert.pem"])
    }

    @Test("incomplete production configuration names the missing key")
    func incomplete() async throws {
        try await expectInvalid(key: "s3.bucket", environment: ["S3_ENDPOINT": "http://s3:8333"])
        try await expectInvalid(key: "s3.endpoint", environment: ["S3_BUCKET": "b"])
        try await expectInvalid(key: "s3.secretKey", environment: ["S3_ENDPOINT": "http://s3", "S3_BUCKET": "b", "S3_ACCESS_KEY": "a"])
        try await expectInvalid(
            key: "s3.endpoint", environment: ["S3_ENDPOINT": "s3.local", "S3_BUCKET": "b", "S3_ACCESS_KEY": "a", "S3_SECRET_KEY": "s"])
        // Replicas on PostgreSQL must share a configured key; a generated per-replica secret would split them.
        try await expectInvalid(key: "auth.jwt.secret", environment: ["DATABASE_URL": "postgres://app@db/orch"])
    }

    @Test("a missing or malformed config file is an error naming config.file")
    func badFile() async throws {
        try await expectInvalid(key: "config.file", file: "{not json")
        do {
            _ = try await ConfigSources.reader(flags: [:], environment: [:], configFile: "/nonexistent/orchestrator.json")
            Issue.record("a missing config file must fail")
        } catch let error as ConfigurationError {
            #expect(error.key == "config.file")
        }
    }

    @Test(
        "environment names follow swift-configuration's mapping",
        arguments: [
            ("server.port", "SERVER_PORT"), ("s3.accessKey", "S3_ACCESS_KEY"), ("auth.jwt.jwksUrl", "AUTH_JWT_JWKS_URL"),
            ("server.tls.certificatePath", "SERVER_TLS_CERTIFICATE_PATH"), ("database.migrateOnStart", "DATABASE_MIGRATE_ON_START"),
        ])
    func environmentNames(key: String, variable: String) {
        #expect(ConfigurationError.environmentName(of: key) == variable)
    }

    @Test("webhooks: per environment, https or loopback http, a secret of 16+ characters, known types; each bad key named")
    func webhooks() async throws {
        let secret = UUID().uuidString
        let ok = try await settings(environment: [
            "WEBHOOKS_PRODUCTION_URL": "https://hooks.example.com/x", "WEBHOOKS_PRODUCTION_SECRET": secret,
            "WEBHOOKS_STAGING_URL": "http://127.0.0.1:9/x", "WEBHOOKS_STAGING_SECRET": secret, "WEBHOOKS_STAGING_TYPES": "node.offline",
        ])
        #expect(ok.notifications.webhooks["production"]?.types.count == 7)
        #expect(ok.notifications.webhooks["staging"]?.types == [.node(.offline)])
        #expect(ok.notifications.webhooks["development"] == nil)
        try await expectInvalid(
            key: "webhooks.production.url",
            environment: ["WEBHOOKS_PRODUCTION_URL": "http://hooks.example.com/x", "WEBHOOKS_PRODUCTION_SECRET": secret])
        try await expectInvalid(key: "webhooks.production.secret", environment: ["WEBHOOKS_PRODUCTION_URL": "https://hooks.example.com/x"])
        try await expectInvalid(
            key: "webhooks.production.types",
            environment: [
                "WEBHOOKS_PRODUCTION_URL": "https://hooks.example.com/x", "WEBHOOKS_PRODUCTION_SECRET": secret,
                "WEBHOOKS_PRODUCTION_TYPES": "deployment.exploded",
            ])
        let insecure = try await settings(environment: [
            "WEBHOOKS_ALLOW_INSECURE_HTTP": "true", "WEBHOOKS_PRODUCTION_URL": "http://hooks.example.com/x", "WEBHOOKS_PRODUCTION_SECRET": secret,
        ])
        #expect(insecure.notifications.webhooks["production"]?.url == "http://hooks.example.com/x")
    }
}
