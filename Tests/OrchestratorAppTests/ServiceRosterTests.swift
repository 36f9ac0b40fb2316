import Deployments
import EdgeFleet
import Foundation
import Logging
import ModuleRegistry
import OrchestratorApp
import OrchestratorConfig
import ServiceLifecycle
import Testing

/// `buildApplication` is the one place that builds long-lived components; each must run in the service group.
@Suite("Service roster")
struct ServiceRosterTests {
    /// Builds the server (not run), hands it to `body`, then releases what it opened.
    static func withBuiltServer(environment: [String: String] = [:], _ body: (OrchestratorServer) throws -> Void) async throws {
        let settings = try await TestServer(environment: environment).settings
        defer { try? FileManager.default.removeItem(atPath: settings.dataDirectory) }
        var logger = Logger(label: "test.roster")
        logger.logLevel = .critical
        let server = try await buildApplication(settings: settings, logger: logger)
        do {
            try body(server)
        } catch {
            await server.backends.closeAfterFailedStart()
            throw error
        }
        await server.backends.closeAfterFailedStart()
    }

    @Test("every Service reachable from the built server is in the service group, listed once")
    func everyServiceRuns() async throws {
        try await Self.withBuiltServer { server in
            let reachable = ServiceReachability.services(reachableFrom: server, skipping: ["roster", "application"])
            let names = Set(reachable.map { String(reflecting: type(of: $0)) })
            // The walk reaches the loops behind the use cases, so a new one left off the roster is seen.
            let loops: [Any.Type] = [HeartbeatIngest.self, HealthMonitor.self, StatusIngest.self, DesiredStateHub.self, ValidationWorkers.self]
            for expected in loops {
                #expect(names.contains(String(reflecting: expected)), "not reached: \(expected)")
            }
            #expect(ServiceReachability.unlisted(from: server, skipping: ["roster", "application"], listed: server.roster.running).isEmpty)
            let keys = server.roster.running.map(ServiceReachability.key)
            #expect(Set(keys).count == keys.count, "a service is listed twice")
            #expect(server.roster.idle.isEmpty)
        }
    }

    @Test("a service left off the group is reported by name")
    func leftOffIsFound() async throws {
        try await Self.withBuiltServer { server in
            let withoutMonitor = server.roster.running.filter { !($0 is HealthMonitor) }
            let missing = ServiceReachability.unlisted(from: server, skipping: ["roster", "application"], listed: withoutMonitor)
            #expect(missing == [String(reflecting: HealthMonitor.self)])
        }
    }

    @Test("the rollout engine switched off by configuration is built idle, not silently dropped")
    func engineOff() async throws {
        try await Self.withBuiltServer(environment: ["DEPLOYMENTS_ENGINE": "false"]) { server in
            #expect(server.roster.idle.count == 1)
            #expect(server.roster.running.allSatisfy { ServiceReachability.key($0) != ServiceReachability.key(server.deployments.engine) })
            let listed = server.roster.running + server.roster.idle
            #expect(ServiceReachability.unlisted(from: server, skipping: ["roster", "application"], listed: listed).isEmpty)
        }
    }

    @Test("start order: backends' clients, then migrations, then the loops that use them")
    func startOrder() async throws {
        try await Self.withBuiltServer { server in
            let names = server.roster.running.map { String(describing: type(of: $0)) }
            let clients = server.backends.services.count
            let first = server.roster.running.prefix(clients).map(ServiceReachability.key)
            #expect(first == server.backends.services.map(ServiceReachability.key))
            #expect(names.dropFirst(clients).first == "MigrationService")
        }
    }
}
