import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Rate limits across replicas: shared buckets in Redis, and per replica while Redis is down.
@Suite("Rate limits across replicas")
struct RateLimitReplicaTests {
    static let modules = "/api/v1/wasm/modules"

    static func status(_ client: any TestClientProtocol, _ token: String) async throws -> Int {
        try await client.execute(uri: modules, method: .get, headers: [.authorization: "Bearer \(token)"]) { $0.status.code }
    }

    @Test("two servers on one Redis draw from the same bucket", .enabled(if: TestServices.hasRedis))
    func sharedAcrossReplicas() async throws {
        let environment = [
            "REDIS_URL": try TestServices.require("TEST_REDIS_URL"), "REDIS_KEY_PREFIX": uniqueName("rl") + ":",
            "RATE_LIMITS_READS_BURST": "4", "RATE_LIMITS_READS_PER_MINUTE": "1",
        ]
        let token = try await ProductionStackTests.adminToken()
        try await ProductionStackTests.withServer(environment) { replicaA in
            try await ProductionStackTests.withServer(environment) { replicaB in
                var statuses: [Int] = []
                for replica in [replicaA, replicaB, replicaA, replicaB, replicaA, replicaB] {
                    statuses.append(try await Self.status(replica, token))
                }
                // Per-replica buckets would admit all six (four each); the shared one admits four.
                #expect(statuses == [200, 200, 200, 200, 429, 429])
            }
        }
    }

    @Test("with Redis down, each replica limits on its own instead of failing")
    func failOpenPerReplica() async throws {
        let environment = [
            "REDIS_URL": "redis://127.0.0.1:1", "RATE_LIMITS_READS_BURST": "2", "RATE_LIMITS_READS_PER_MINUTE": "1",
        ]
        let token = try await ProductionStackTests.adminToken()
        try await ProductionStackTests.withServer(environment) { client in
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(try await Self.status(client, token)) }
            #expect(statuses == [200, 200, 429])
        }
    }
}
