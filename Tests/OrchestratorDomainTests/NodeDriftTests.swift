import OrchestratorDomain
import Testing

@Suite("Observed state against desired state")
struct NodeDriftTests {
    typealias D = DesiredStateDerivationTests

    static func item(_ module: String, _ digest: ContentDigest, _ state: ModuleRunState = .running) -> InventoryItem {
        InventoryItem(module: module, version: nil, digest: digest, state: state)
    }

    @Test("each kind of difference, one at a time; in sync is empty")
    func differences() {
        let desired = [D.module("1.0.0", D.v1, deployment: "d1")]
        #expect(ModuleDrift.differences(desired: desired, observed: [Self.item("hello", D.v1)]).isEmpty)
        #expect(ModuleDrift.differences(desired: desired, observed: []).map(\.kind) == [.missing])
        #expect(ModuleDrift.differences(desired: desired, observed: [Self.item("hello", D.v2)]).map(\.kind) == [.otherDigest])
        #expect(ModuleDrift.differences(desired: desired, observed: [Self.item("hello", D.v1, .failed)]).map(\.kind) == [.notRunning])
        let extra = ModuleDrift.differences(desired: [], observed: [Self.item("stale", D.v2)])
        #expect(extra.map(\.kind) == [.unexpected] && extra.first?.observedDigest == D.v2)
    }

    @Test("a difference makes a node drifted only once it has lasted longer than the policy allows")
    func policy() {
        let policy = DriftPolicy(afterSeconds: 300)
        #expect(!policy.isDrifted(since: nil, now: 1000))
        #expect(!policy.isDrifted(since: 800, now: 1000))
        #expect(policy.isDrifted(since: 600, now: 1000))
    }
}
