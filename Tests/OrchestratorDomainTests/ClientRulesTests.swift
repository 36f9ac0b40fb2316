import OrchestratorDomain
import Testing

/// Rules every client of the use cases shares (the API today, a CLI later).
@Suite("Client rules: enrollment-token limits, who may download module content")
struct ClientRulesTests {
    static let digest = ContentDigest(parsing: "sha256:" + String(repeating: "a", count: 64))!
    static let other = ContentDigest(parsing: "sha256:" + String(repeating: "b", count: 64))!

    @Test("the defaults are within the bounds; each bound is inclusive and names its field")
    func enrollmentTokenBounds() {
        let limits = EnrollmentTokenLimits.self
        #expect(limits.problem(lifetimeSeconds: limits.defaultLifetimeSeconds, maxUses: limits.defaultMaxUses) == nil)
        #expect(limits.problem(lifetimeSeconds: 60, maxUses: 1) == nil)
        #expect(limits.problem(lifetimeSeconds: 2_592_000, maxUses: 100_000) == nil)
        #expect(limits.problem(lifetimeSeconds: 59, maxUses: 1) == "'expiresInSeconds' must be 60 to 2592000")
        #expect(limits.problem(lifetimeSeconds: 2_592_001, maxUses: 1) == "'expiresInSeconds' must be 60 to 2592000")
        #expect(limits.problem(lifetimeSeconds: 60, maxUses: 0) == "'maxUses' must be 1 to 100000")
        #expect(limits.problem(lifetimeSeconds: 60, maxUses: 100_001) == "'maxUses' must be 1 to 100000")
        #expect(limits.problem(lifetimeSeconds: 0, maxUses: 0)?.contains("expiresInSeconds") == true, "the lifetime is reported first")
    }

    @Test("an agent downloads only what its node's desired state names, and only while the node is accepted")
    func agentDownloads() {
        #expect(ContentAccessRule.agentMay(download: Self.digest, admission: .accepted, desired: [Self.other, Self.digest]))
        #expect(!ContentAccessRule.agentMay(download: Self.digest, admission: .accepted, desired: [Self.other]))
        #expect(!ContentAccessRule.agentMay(download: Self.digest, admission: .accepted, desired: []))
        #expect(!ContentAccessRule.agentMay(download: Self.digest, admission: .pending, desired: [Self.digest]))
        #expect(!ContentAccessRule.agentMay(download: Self.digest, admission: .rejected, desired: [Self.digest]))
        // An agent JWT carries no admission state: the desired state alone decides.
        #expect(ContentAccessRule.agentMay(download: Self.digest, admission: nil, desired: [Self.digest]))
        #expect(!ContentAccessRule.agentMay(download: Self.digest, admission: nil, desired: [Self.other]))
    }
}
