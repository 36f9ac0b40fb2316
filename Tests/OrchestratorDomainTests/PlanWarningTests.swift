import OrchestratorDomain
import Testing

/// The plan preview's warnings: the targets the rollout would skip or time out, and unused wave names.
@Suite("Plan preview warnings")
struct PlanWarningTests {
    static func warnings(_ nodes: [NodeRecord], offline: Set<String> = [], waves: RolloutWaves? = nil) -> [String] {
        let spec = Rollout.spec(.rolling(batch: .count(1), pause: .none, waves: waves))
        return PlanWarning.warnings(targets: nodes, offline: Set(offline.map(Rollout.id)), spec: spec)
            .map { "\($0.nodeID?.value ?? "-") \($0.kind.rawValue)" }
    }

    @Test("a schedulable online node has no warning")
    func healthyNodes() {
        #expect(Self.warnings([Rollout.node("n1"), Rollout.node("n2")]).isEmpty)
    }

    @Test("not admitted, disabled and offline nodes are named, one reason each, admission first")
    func skippedNodes() {
        let nodes = [
            Rollout.node("n1", admission: .pending), Rollout.node("n2", enabled: false), Rollout.node("n3"),
            Rollout.node("n4", enabled: false, admission: .rejected),
        ]
        #expect(Self.warnings(nodes, offline: ["n3", "n4"]) == ["n1 notAdmitted", "n2 disabled", "n3 offline", "n4 notAdmitted"])
    }

    @Test("an offline node says whether it is dispatched and not waited for, or dispatched and may time out")
    func offlinePolicy() {
        let spec = { (policy: OfflineNodePolicy) in Rollout.spec(.allAtOnce, offline: policy) }
        let skip = PlanWarning.warnings(targets: [Rollout.node("n1")], offline: [Rollout.id("n1")], spec: spec(.skip))
        let include = PlanWarning.warnings(targets: [Rollout.node("n1")], offline: [Rollout.id("n1")], spec: spec(.include))
        #expect(skip.first?.message.contains("converges when it returns") == true)
        #expect(include.first?.message.contains("times out") == true)
    }

    @Test("a waveOrder name no target is in is a warning without a node")
    func unknownWave() {
        let waves = RolloutWaves(key: .region, order: ["eu", "mars"])
        #expect(Self.warnings([Rollout.node("n1")], waves: waves) == ["- unknownWave"])
    }
}
