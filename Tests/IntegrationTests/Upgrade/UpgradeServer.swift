import Foundation
import HummingbirdTesting
import Logging
import OrchestratorApp
import OrchestratorAuth
import OrchestratorConfig
import OrchestratorDomain
import OrchestratorPorts
import Testing

/// The production server (`buildApplication`) on an ``UpgradeDatabase``, run live for one body.
enum UpgradeServer {
    static let secret = String(repeating: "ab12cd34ef56", count: 4)

    /// A token the server accepts, for `role`.
    static func token(_ role: Role, subject: String) async throws -> String {
        try await TokenIssuer.make(settings: AuthSettings(secret: secret)).issue(subject: subject, role: role, ttlSeconds: 900)
    }

    /// Starts the server, runs `body`, and shuts the server down (its last heartbeat and status batches are flushed).
    ///
    /// - Parameter migrateOnStart: `false` for the run on the old schema: the server applies nothing. Once the bundle holds
    ///   migrations past ``UpgradeTests/lastMigrationBeforeUpgrade``, the server rightly keeps its schema gate closed on that
    ///   schema, so the test opens it, as the old release's server (for which that schema was current) would have.
    static func run<T: Sendable>(
        _ database: UpgradeDatabase, migrateOnStart: Bool, _ body: @Sendable @escaping (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        var environment = try database.environment()
        environment["AUTH_JWT_SECRET"] = secret
        environment["DATABASE_MIGRATE_ON_START"] = migrateOnStart ? "true" : "false"
        environment["DATABASE_CONNECT_RETRY_MAX_SECONDS"] = "1"
        environment["DEPLOYMENTS_EVALUATION_INTERVAL_MILLISECONDS"] = "50"
        environment["NODES_HEALTH_EVALUATION_SECONDS"] = "1"
        environment["NODES_HEARTBEAT_FLUSH_SECONDS"] = "1"
        let reader = try await ConfigSources.reader(
            flags: ["data.dir": database.dataDirectory, "server.port": "0"], environment: environment, configFile: nil)
        var logger = Logger(label: "test.upgrade")
        logger.logLevel = .critical
        let server = try await buildApplication(settings: try OrchestratorSettings(reader: reader), logger: logger)
        let newer = try database.bundledMigrations.contains { $0.version > UpgradeTests.lastMigrationBeforeUpgrade }
        return try await server.application.test(.live) { client in
            if !migrateOnStart && newer { server.gate.open() }
            for _ in 0..<750 where !server.gate.isOpen { try await Task.sleep(for: .milliseconds(20)) }
            #expect(server.gate.isOpen, "the schema gate did not open")
            return try await body(client)
        }
    }
}
