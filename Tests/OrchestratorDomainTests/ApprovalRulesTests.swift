import OrchestratorDomain
import Testing

@Suite("Approval rules")
struct ApprovalRulesTests {
    static let digest = ContentDigest(parsing: "sha256:" + String(repeating: "a", count: 64))!
    static let other = ContentDigest(parsing: "sha256:" + String(repeating: "b", count: 64))!
    static let twoOfAdmins = EnvironmentPolicy(requireApproval: true, requiredApprovals: 2, approvalTTLSeconds: 100)

    static func approval(_ who: String, digest: ContentDigest = digest, at: Double = 0, ttl: Double = 100) -> Approval {
        Approval(approver: who, role: .admin, digest: digest, comment: nil, approvedAt: at, expiresAt: at + ttl)
    }

    func refusal(
        _ who: Principal, creator: String = "dev", reviewed: ContentDigest? = nil, existing: [Approval] = [],
        policy: EnvironmentPolicy = twoOfAdmins, at time: Double = 10
    ) -> ApprovalRefusal? {
        ApprovalRules.refusal(
            approver: who, creator: creator, digest: Self.digest, reviewedDigest: reviewed, existing: existing, policy: policy, at: time)
    }

    @Test("four eyes: the creator may not approve unless the policy allows it")
    func fourEyes() {
        #expect(refusal(Principal(subject: "dev", role: .admin), creator: "dev") == .selfApproval)
        var lenient = Self.twoOfAdmins
        lenient.allowSelfApproval = true
        #expect(refusal(Principal(subject: "dev", role: .admin), creator: "dev", policy: lenient) == nil)
        #expect(refusal(Principal(subject: "ops", role: .admin), creator: "dev") == nil)
    }

    @Test("approver role: admins always, deployers only when named, viewers and agents never")
    func roles() {
        #expect(refusal(Principal(subject: "d", role: .deployer)) == .roleMayNotApprove(.deployer, required: .admin))
        var deployers = Self.twoOfAdmins
        deployers.approverRole = .deployer
        #expect(refusal(Principal(subject: "d", role: .deployer), policy: deployers) == nil)
        #expect(refusal(Principal(subject: "a", role: .admin), policy: deployers) == nil)
        for role in [Role.viewer, .agent] {
            #expect(refusal(Principal(subject: "v", role: role), policy: deployers) == .roleMayNotApprove(role, required: .deployer))
        }
    }

    @Test("N of M: distinct, valid approvers count; the same approver twice is refused")
    func nOfM() {
        let one = [Self.approval("ops1")]
        #expect(!ApprovalRules.isComplete(one, digest: Self.digest, policy: Self.twoOfAdmins, at: 10))
        #expect(refusal(Principal(subject: "ops1", role: .admin), existing: one) == .alreadyApproved)
        let two = one + [Self.approval("ops2")]
        #expect(ApprovalRules.isComplete(two, digest: Self.digest, policy: Self.twoOfAdmins, at: 10))
        #expect(ApprovalRules.isComplete([], digest: Self.digest, policy: EnvironmentPolicy(requireApproval: false), at: 10))
    }

    @Test("approvals expire and are bound to the digest")
    func expiryAndDigest() {
        let two = [Self.approval("ops1", at: 0, ttl: 50), Self.approval("ops2", at: 0, ttl: 500)]
        #expect(ApprovalRules.isComplete(two, digest: Self.digest, policy: Self.twoOfAdmins, at: 49))
        #expect(!ApprovalRules.isComplete(two, digest: Self.digest, policy: Self.twoOfAdmins, at: 50))
        #expect(ApprovalRules.validApprovers(two, digest: Self.digest, at: 60) == ["ops2"])
        // An expired approver may approve again.
        #expect(refusal(Principal(subject: "ops1", role: .admin), existing: two, at: 60) == nil)
        let wrong = [Self.approval("ops1", digest: Self.other), Self.approval("ops2", digest: Self.other)]
        #expect(!ApprovalRules.isComplete(wrong, digest: Self.digest, policy: Self.twoOfAdmins, at: 10))
        #expect(refusal(Principal(subject: "ops1", role: .admin), reviewed: Self.other) == .digestMismatch(expected: Self.digest, given: Self.other))
        #expect(refusal(Principal(subject: "ops1", role: .admin), reviewed: Self.digest) == nil)
    }
}
