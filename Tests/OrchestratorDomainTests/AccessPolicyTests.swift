import OrchestratorDomain
import Testing

@Suite("Access policy")
struct AccessPolicyTests {
    private func principal(_ role: Role, node: String? = nil) -> Principal {
        Principal(subject: "someone", role: role, nodeID: node)
    }

    @Test("every role may read its own identity", arguments: Role.allCases)
    func identity(role: Role) {
        #expect(AccessPolicy.allows(principal(role, node: "n1"), .readOwnIdentity))
    }

    @Test("the role matrix for fleet-wide actions")
    func matrix() {
        let expected: [Role: Set<String>] = [
            .admin: ["read", "deploy", "administer"],
            .deployer: ["read", "deploy"],
            .viewer: ["read"],
            .agent: [],
        ]
        for role in Role.allCases {
            var allowed: Set<String> = []
            if AccessPolicy.allows(principal(role, node: "n1"), .readFleet) { allowed.insert("read") }
            if AccessPolicy.allows(principal(role, node: "n1"), .deploy) { allowed.insert("deploy") }
            if AccessPolicy.allows(principal(role, node: "n1"), .administer) { allowed.insert("administer") }
            #expect(allowed == expected[role], "role \(role)")
        }
    }

    @Test("an agent acts only as its own node")
    func agentScope() {
        let agent = principal(.agent, node: "edge-1")
        #expect(AccessPolicy.allows(agent, .actAsNode("edge-1")))
        #expect(!AccessPolicy.allows(agent, .actAsNode("edge-2")))
        #expect(!AccessPolicy.allows(principal(.agent, node: nil), .actAsNode("edge-1")))
        #expect(!AccessPolicy.allows(principal(.viewer), .actAsNode("edge-1")))
        #expect(AccessPolicy.allows(principal(.admin), .actAsNode("edge-1")))
    }
}
