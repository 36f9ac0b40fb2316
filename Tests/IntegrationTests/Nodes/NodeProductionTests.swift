import EdgeFleet
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import OrchestratorApp
import OrchestratorConfig
import OrchestratorDomain
import Testing

/// The node protocol through the whole server on PostgreSQL, Redis and SeaweedFS.
@Suite("Edge nodes on the production stack")
struct NodeProductionTests {
    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test("a change made on another replica wakes a long-poll held on this one, through Redis", .enabled(if: ProductionStackTests.allServices))
    func crossReplicaWakeUp() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            let environment = try ProductionStackTests.productionEnvironment(database: database)
            let admin = try await ProductionStackTests.adminToken()
            try await ProductionStackTests.withServer(environment) { client in
                // Register a node on replica A.
                let token = try await client.execute(
                    uri: "/api/v1/wasm/enrollment-tokens", method: .post,
                    headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"], body: ByteBuffer(string: "{}")
                ) { response throws in try #require(try Self.json(response)["token"] as? String) }
                let registration =
                    #"{"nodeId":"edge-x","region":"r","zone":"z","runtime":"wasmkit","runtimeVersion":"0.4.2","#
                    + #""hardware":{"cpuCores":2,"totalMemoryMB":2048,"architecture":"aarch64"}}"#
                let credential = try await client.execute(
                    uri: "/api/v1/wasm/nodes", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: ByteBuffer(string: registration)
                ) { response throws in try #require(try Self.json(response)["credential"] as? String) }
                let uri = "/api/v1/wasm/nodes/edge-x/desired-state"
                let etag = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(credential)"]) { response throws in
                    try #require(response.headers[.eTag])
                }

                // Replica B: the same configuration, its own pools and Redis connections, no HTTP.
                let dataDirectory = NSTemporaryDirectory() + uniqueName("replica-b")
                defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
                var replicaEnvironment = environment
                replicaEnvironment["AUTH_JWT_SECRET"] = ProductionStackTests.secret
                let reader = try await ConfigSources.reader(flags: ["data.dir": dataDirectory], environment: replicaEnvironment, configFile: nil)
                let settings = try OrchestratorSettings(reader: reader)
                var logger = Logger(label: "test.replica-b")
                logger.logLevel = .critical
                let backends = try await Backends.make(settings: settings, logger: logger)
                let replicaB = FleetWiring(settings: settings, backends: backends, metrics: ServerMetrics().factory, logger: logger).nodes
                let module = DesiredModule(
                    name: "hello", version: "1.0.0", digest: ContentDigest(bytes: [UInt8](repeating: 9, count: 32)), entrypoint: "_start",
                    resources: ResourceLimits())

                let started = ContinuousClock.now
                try await backends.withRunningServices {
                    async let change: Void = {
                        try await Task.sleep(for: .milliseconds(500))
                        try await replicaB.desiredState.setDesiredModules([module], for: NodeID("edge-x")!)
                    }()
                    try await client.execute(
                        uri: uri + "?wait=30s", method: .get, headers: [.authorization: "Bearer \(credential)", .ifNoneMatch: etag]
                    ) { response throws in
                        #expect(response.status == .ok)
                        #expect(response.headers[.eTag] != etag)
                        #expect((try Self.json(response)["modules"] as? [[String: Any]])?.first?["name"] as? String == "hello")
                    }
                    try await change
                }
                let elapsed = ContinuousClock.now - started
                #expect(elapsed < .seconds(12), "woken after \(elapsed); the memo alone would take up to the 30 s wait")
            }
        }
    }
}
