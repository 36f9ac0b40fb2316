import FleetSimulation
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrchestratorDomain
import Testing

/// Four-eyes and N-of-M over HTTP when an admin mints tokens for other subjects.
@Suite("Separation of duties with minted tokens")
struct SeparationOfDutiesEndpointTests {
    typealias E = DeploymentEndpointTests

    private func mint(_ client: any TestClientProtocol, _ token: String, subject: String, role: Role = .admin) async throws -> String {
        let response = try await E.post(client, token, "/auth/tokens", #"{"subject":"\#(subject)","role":"\#(role.rawValue)"}"#)
        #expect(response.status == .created)
        return try #require(try response.json()["token"] as? String)
    }

    @Test("an admin who created a deployment cannot approve or execute it as 'bob' through a token it minted")
    func creatorMintsBob() async throws {
        try await TestServer(environment: E.fastEngine).run { client, server in
            let alice = try await server.token(subject: "alice", role: .admin)
            _ = try await SimulatedFleet.enroll(client, admin: alice, ids: ["s1"])
            _ = try await E.upload(client, alice)
            let id = try await E.create(client, alice, E.deploymentBody())
            let bob = try await mint(client, alice, subject: "bob")

            let approve = try await E.post(client, bob, "/deployments/\(id)/approve")
            #expect(try approve.problem(status: 403)["type"] as? String == "urn:wasm-orchestrator:problem:self-approval-forbidden")
            let execute = try await E.post(client, bob, "/deployments/\(id)/execute")
            #expect(try execute.problem(status: 403)["type"] as? String == "urn:wasm-orchestrator:problem:self-approval-forbidden")
            #expect(try await E.get(client, alice, id)["status"] as? String == "PendingApproval")
            let denied = try await server.recentAudit(limit: 1).first
            #expect(denied?.actor == "bob" && denied?.actors == ["alice"] && denied?.outcome == .denied)

            let carol = try await server.token(subject: "carol", role: .admin)
            let started = try await E.post(client, carol, "/deployments/\(id)/execute")
            #expect(try started.json()["status"] as? String == "InProgress")
        }
    }

    @Test("2-of-N: an approver's minted token does not add a second approval; a deployment created through a minted token is the minter's")
    func quorumAndMintedCreator() async throws {
        try await TestServer(environment: DeploymentWorkflowTests.twoApprovals).run { client, server in
            let root = try await server.token(subject: "root", role: .admin)
            let carol = try await server.token(subject: "carol", role: .admin)
            _ = try await SimulatedFleet.enroll(client, admin: root, ids: ["s2"])
            _ = try await E.upload(client, root)
            let dev = try await mint(client, root, subject: "dev", role: .deployer)
            let id = try await E.create(client, dev, E.deploymentBody())
            let created = try await server.recentAudit(limit: 1).first
            #expect(created?.action == "deployment.create" && created?.actor == "dev" && created?.actors == ["root"])

            let own = try await E.post(client, root, "/deployments/\(id)/approve")
            #expect(try own.problem(status: 403)["type"] as? String == "urn:wasm-orchestrator:problem:self-approval-forbidden")

            #expect(try await E.post(client, carol, "/deployments/\(id)/approve").status == .ok)
            let dave = try await mint(client, carol, subject: "dave")
            let second = try await E.post(client, dave, "/deployments/\(id)/approve")
            #expect(try second.problem(status: 409)["type"] as? String == "urn:wasm-orchestrator:problem:already-approved")
            let early = try await E.post(client, dave, "/deployments/\(id)/execute")
            #expect(try early.problem(status: 409)["type"] as? String == "urn:wasm-orchestrator:problem:approvals-incomplete")

            let erin = try await server.token(subject: "erin", role: .admin)
            let done = try await E.post(client, erin, "/deployments/\(id)/approve")
            #expect(try done.json()["status"] as? String == "Approved")
        }
    }
}
