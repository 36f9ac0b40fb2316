import Deployments
import EdgeFleet
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import Notifications
import OrchestratorApp
import OrchestratorAuth
import OrchestratorConfig
import OrchestratorDomain
import OrchestratorPorts
import Testing

/// Builds the real server (embedded default) in a fresh data dir and runs tests against it live.
struct TestServer {
    let dataDirectory: String
    let settings: OrchestratorSettings
    /// The running server's metadata store, for assertions on what it recorded.
    private let running = NIOLockedValueBox<OrchestratorServer?>(nil)

    init(environment: [String: String] = [:]) async throws {
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("orch-" + UUID().uuidString).path
        var flags = ["data.dir": dataDirectory, "server.port": "0"]
        // Suites that hammer endpoints from one address and subject get generous limits, unless a
        // test configures rate limits itself (then the production defaults apply to what it leaves out).
        if !environment.keys.contains(where: { $0.hasPrefix("RATE_LIMITS_") }) {
            for limitClass in RateLimitClass.allCases {
                flags["rateLimits.\(limitClass.rawValue).perMinute"] = "1000000"
                flags["rateLimits.\(limitClass.rawValue).burst"] = "100000"
            }
        }
        let reader = try await ConfigSources.reader(flags: flags, environment: environment, configFile: nil)
        settings = try OrchestratorSettings(reader: reader)
    }

    /// Runs `body` against a live server; the data dir is removed afterwards.
    /// - Parameter logger: the server's logger (default: warnings and worse, to standard error).
    func run(logger: Logger? = nil, _ body: @Sendable @escaping (any TestClientProtocol, TestServer) async throws -> Void) async throws {
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let logger =
            logger
            ?? {
                var logger = Logger(label: "test.server")
                logger.logLevel = .warning
                return logger
            }()
        let server = try await buildApplication(settings: settings, logger: logger)
        running.withLockedValue { $0 = server }
        try await server.application.test(.live) { client in
            try await waitForSchema(server.gate)
            try await body(client, self)
        }
    }

    /// A token signed with the server's generated secret.
    func token(subject: String = "alice", role: Role, node: String? = nil, ttl: Int = 600) async throws -> String {
        guard let secret = SecretBootstrap.load(dataDirectory: dataDirectory) else { throw CocoaError(.fileNoSuchFile) }
        var auth = settings.auth.settings
        auth.secret = secret
        return try await TokenIssuer.make(settings: auth).issue(subject: subject, role: role, node: node, ttlSeconds: ttl)
    }

    /// The newest audit events the running server recorded.
    func recentAudit(limit: Int) async throws -> [AuditEvent] {
        let server = try #require(running.withLockedValue { $0 })
        return try await server.backends.metadata.recentAudit(limit: limit)
    }

    /// The running server's metadata store (for assertions that nothing was stored).
    func metadata() throws -> any MetadataStore {
        try #require(running.withLockedValue { $0 }).backends.metadata
    }

    /// Every route the running server's router serves, as `METHOD /path/{parameter}`.
    func routes() throws -> Set<String> {
        Set(try #require(running.withLockedValue { $0 }).routes)
    }

    /// The running server's node services (to act as the deployments engine would).
    func nodes() throws -> NodeService {
        try #require(running.withLockedValue { $0 }).nodes
    }

    /// The running server's deployment service (its rollout engine can be driven directly).
    func deployments() throws -> DeploymentService {
        try #require(running.withLockedValue { $0 }).deployments
    }

    /// The running server's event bus (its open streams).
    func events() throws -> EventBus {
        try #require(running.withLockedValue { $0 }).events
    }

    private func waitForSchema(_ gate: SchemaGate) async throws {
        for _ in 0..<500 where !gate.isOpen { try await Task.sleep(for: .milliseconds(20)) }
        #expect(gate.isOpen, "migrations did not complete")
    }
}

/// Small helpers that keep each HTTP test to the point.
extension TestResponse {
    var text: String { String(buffer: body) }

    func json() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
    }

    /// Asserts the RFC 9457 shape and returns the document.
    func problem(status expected: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        #expect(status.code == expected, sourceLocation: sourceLocation)
        #expect(headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        let document = try json()
        #expect(document["status"] as? Int == expected, sourceLocation: sourceLocation)
        #expect((document["type"] as? String)?.hasPrefix("urn:wasm-orchestrator:problem:") == true, sourceLocation: sourceLocation)
        #expect((document["title"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        #expect((document["detail"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        let requestID = headers[HTTPField.Name("X-Request-ID")!]
        #expect(requestID != nil && document["instance"] as? String == requestID, sourceLocation: sourceLocation)
        return document
    }
}

func bearer(_ token: String) -> HTTPFields {
    [.authorization: "Bearer \(token)"]
}
