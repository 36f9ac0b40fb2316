import FleetSimulation
import Foundation
import HTTPTypes
import HummingbirdTesting
import OrchestratorDomain
import Testing

/// Seed 004 reads lists as `.nodes[]`: every list body names its array after the resource (docs/api.md).
@Suite("List bodies name their items after the resource, as seed 004 reads them")
struct ListBodyTests {
    static let base = "/api/v1/wasm"

    static func body(_ client: any TestClientProtocol, _ token: String, _ path: String) async throws -> [String: Any] {
        try await client.execute(uri: base + path, method: .get, headers: bearer(token)) { response throws in
            #expect(response.status == .ok, "\(path): \(response.text)")
            return try response.json()
        }
    }

    @Test(#"seed 004's `jq '.nodes[] | select(.region=="us-east")'` over GET /nodes gives exactly the us-east nodes"#)
    func seedFilterByRegion() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(subject: "root", role: .admin)
            _ = try await SimulatedFleet.enroll(client, admin: admin, ids: ["edge-a", "edge-c"], region: "eu-west")
            _ = try await SimulatedFleet.enroll(client, admin: admin, ids: ["edge-b", "edge-d", "edge-e"], region: "us-east")
            let body = try await Self.body(client, admin, "/nodes")
            #expect(body.keys.sorted() == ["nodes"], "one page: the array and no cursor")
            let nodes = try #require(body["nodes"] as? [[String: Any]])
            #expect(nodes.count == 5)
            let selected = nodes.filter { $0["region"] as? String == "us-east" }
            #expect(selected.compactMap { $0["nodeId"] as? String } == ["edge-b", "edge-d", "edge-e"])
        }
    }

    @Test("every listing holds its page under the table's key, with nextCursor beside it")
    func everyListingIsNamed() async throws {
        try await TestServer().run { client, server in
            let admin = try await server.token(subject: "root", role: .admin)
            let deployer = try await server.token(subject: "dev", role: .deployer)
            let fleet = try await SimulatedFleet.enroll(client, admin: admin, ids: ["edge-1", "edge-2"])
            try await fleet.heartbeat("edge-1")
            _ = try await DeploymentEndpointTests.upload(client, deployer)
            let deployment = try await DeploymentEndpointTests.create(client, deployer, DeploymentEndpointTests.deploymentBody())
            // path, key, whether the setup above guarantees an item
            let listings: [(String, String, Bool)] = [
                ("/modules", "modules", true), ("/modules/hello/versions", "versions", true), ("/nodes", "nodes", true),
                ("/enrollment-tokens", "tokens", true), ("/nodes/edge-1/health/history", "transitions", false),
                ("/nodes/edge-1/status", "statuses", false), ("/deployments", "deployments", true),
                ("/deployments/\(deployment)/nodes", "nodes", false), ("/audit-events", "events", true),
            ]
            for (path, key, hasItems) in listings {
                let body = try await Self.body(client, admin, path)
                #expect(body.keys.sorted() == [key], "\(path)")
                let items = try #require(body[key] as? [[String: Any]], "\(path) holds an array under \(key)")
                #expect(!hasItems || !items.isEmpty, "\(path)")
            }
            let page = try await Self.body(client, admin, "/nodes?limit=1")
            #expect(page.keys.sorted() == ["nextCursor", "nodes"])
            #expect((page["nodes"] as? [[String: Any]])?.compactMap { $0["nodeId"] as? String } == ["edge-1"])
        }
    }
}
