import Foundation
import Logging
import OrchestratorApp
import OrchestratorPorts
import PostgresMetadataStore
import PostgresNIO
import SQLiteMetadataStore
import Testing

/// The metadata store implementations the contract suite runs against.
enum MetadataBackend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    static var available: [MetadataBackend] {
        TestServices.hasPostgres ? [.sqlite, .postgres] : [.sqlite]
    }

    var dialect: BundledResources.Dialect { self == .sqlite ? .sqlite : .postgres }

    /// Runs `body` with a fresh, empty store: a new SQLite file, or a new PostgreSQL database.
    func withStore<T: Sendable>(_ body: @Sendable (any MetadataStore) async throws -> T) async throws -> T {
        let logger = Logger(label: "test.metadata")
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("meta") + ".sqlite").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            return try await SQLiteMetadataStore.withOpened(path: path, logger: logger, body)
        case .postgres:
            return try await PostgresTestDatabase.with { client in
                try await body(PostgresMetadataStore(client: client, logger: logger))
            }
        }
    }
}

/// Creates a throw-away database per test on the loopback PostgreSQL, and drops it afterwards.
enum PostgresTestDatabase {
    static func with<T: Sendable>(_ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        try await withDatabase { name in
            var configuration = try PostgresURL.configuration(from: try TestServices.require("TEST_POSTGRES_URL"))
            configuration.database = name
            return try await withClient(configuration, body)
        }
    }

    /// Creates a fresh database, runs `body` with its name, and drops it afterwards (awaited, also on failure).
    static func withDatabase<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let name = uniqueName("wo_test")
        try await create(name)
        do {
            let result = try await body(name)
            try await dropDatabase(name)
            return result
        } catch {
            try? await dropDatabase(name)
            throw error
        }
    }

    /// The URL of database `database` on the test server.
    static func url(database: String) throws -> String {
        var components = URLComponents(string: try TestServices.require("TEST_POSTGRES_URL"))!
        components.path = "/" + database
        return components.string!
    }

    static func create(_ name: String) async throws {
        let adminURL = try TestServices.require("TEST_POSTGRES_URL")
        try TestServices.requireLoopback(adminURL)
        try await withClient(PostgresURL.configuration(from: adminURL)) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        }
    }

    /// Runs a client for the duration of `body`.
    static func withClient<T: Sendable>(
        _ configuration: PostgresClient.Configuration,
        _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "test.postgres"))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    static func dropDatabase(_ name: String) async throws {
        let adminURL = try TestServices.require("TEST_POSTGRES_URL")
        try await withClient(PostgresURL.configuration(from: adminURL)) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
        }
    }
}

extension SQLiteMetadataStore {
    /// Runs `body` with the database at `path` open, and closes it whatever happens
    /// (a store dropped unclosed traps in SQLiteNIO's deinit and ends the whole test run).
    static func withOpened<T: Sendable>(
        path: String, logger: Logger, _ body: @Sendable (any MetadataStore) async throws -> T
    ) async throws -> T {
        let store = try await SQLiteMetadataStore.open(path: path, logger: logger)
        do {
            let result = try await body(store)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }
}
