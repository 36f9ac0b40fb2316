import OrchestratorDomain
import Testing

/// Issue 11 item 6: a person is a token's subject plus its RFC 8693 actors;
/// four-eyes and N-of-M count people, not subjects.
@Suite("Separation of duties across minted tokens")
struct SeparationOfDutiesTests {
    static let digest = ContentDigest(parsing: "sha256:" + String(repeating: "a", count: 64))!
    static let oneAdmin = EnvironmentPolicy(requireApproval: true, requiredApprovals: 1, approvalTTLSeconds: 100)
    static let twoAdmins = EnvironmentPolicy(requireApproval: true, requiredApprovals: 2, approvalTTLSeconds: 100)

    static func approval(_ who: String, actors: [String]? = nil) -> Approval {
        Approval(approver: who, role: .admin, digest: digest, comment: nil, approvedAt: 0, expiresAt: 100, actors: actors)
    }

    func refusal(_ who: Principal, creator: Person, existing: [Approval] = [], policy: EnvironmentPolicy = twoAdmins) -> ApprovalRefusal? {
        ApprovalRules.refusal(approver: who, creator: creator, digest: Self.digest, reviewedDigest: nil, existing: existing, policy: policy, at: 10)
    }

    @Test("people are the same when any name is shared, distinct only when disjoint")
    func personIdentity() {
        let bobViaAlice = Person(subject: "bob", actors: ["alice"])
        #expect(bobViaAlice.isSame(as: Person(subject: "alice")))
        #expect(bobViaAlice.isSame(as: Person(subject: "bob")))
        #expect(bobViaAlice.isSame(as: Person(subject: "carol", actors: ["dave", "alice"])))
        #expect(bobViaAlice.isDistinct(from: Person(subject: "carol", actors: ["dave"])))
        #expect(Principal(subject: "bob", role: .admin, actors: ["alice", "root"]).person.names == ["bob", "alice", "root"])
    }

    @Test("the creator approving through a token minted for someone else is self-approval")
    func creatorThroughMintedToken() {
        let bobMintedByAlice = Principal(subject: "bob", role: .admin, actors: ["alice"])
        #expect(refusal(bobMintedByAlice, creator: Person(subject: "alice"), policy: Self.oneAdmin) == .selfApproval)
        // Deeper in the chain counts too.
        let nested = Principal(subject: "carol", role: .admin, actors: ["bob", "alice"])
        #expect(refusal(nested, creator: Person(subject: "alice"), policy: Self.oneAdmin) == .selfApproval)
        #expect(refusal(Principal(subject: "carol", role: .admin), creator: Person(subject: "alice"), policy: Self.oneAdmin) == nil)
    }

    @Test("a deployment created through a minted token belongs to the minter: the minter may not approve it")
    func createdThroughMintedToken() {
        let creator = Person(subject: "bob", actors: ["alice"])
        #expect(refusal(Principal(subject: "alice", role: .admin), creator: creator, policy: Self.oneAdmin) == .selfApproval)
        #expect(refusal(Principal(subject: "bob", role: .admin), creator: creator, policy: Self.oneAdmin) == .selfApproval)
    }

    @Test("N-of-M: an approver's second approval through a minted token is refused and never counted")
    func quorumCountsPeople() {
        let carol = Self.approval("carol")
        let daveViaCarol = Principal(subject: "dave", role: .admin, actors: ["carol"])
        #expect(refusal(daveViaCarol, creator: Person(subject: "alice"), existing: [carol]) == .alreadyApproved)
        // Approvals recorded by two hands of one person count once.
        let approvals = [carol, Self.approval("dave", actors: ["carol"])]
        #expect(ApprovalRules.validApprovers(approvals, digest: Self.digest, at: 10).count == 1)
        #expect(!ApprovalRules.isComplete(approvals, digest: Self.digest, policy: Self.twoAdmins, at: 10))
        let distinct = [carol, Self.approval("erin", actors: ["frank"])]
        #expect(ApprovalRules.isComplete(distinct, digest: Self.digest, policy: Self.twoAdmins, at: 10))
    }

    @Test("records store the actors, and old records without them still decode as subject-only people")
    func recordsKeepActors() {
        #expect(Self.approval("dave", actors: ["carol"]).person == Person(subject: "dave", actors: ["carol"]))
        #expect(Self.approval("dave", actors: []).actors == nil)
        #expect(Self.approval("dave").person == Person(subject: "dave"))
    }
}
