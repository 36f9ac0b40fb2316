import OrchestratorDomain
import Testing

/// Fixtures for the rollout rules.
enum Rollout {
    static let digest = ContentDigest(parsing: "sha256:" + String(repeating: "c", count: 64))!
    static let oldDigest = ContentDigest(parsing: "sha256:" + String(repeating: "d", count: 64))!

    static func id(_ text: String) -> NodeID { NodeID(text)! }

    static func node(
        _ name: String, enabled: Bool = true, admission: AdmissionState = .accepted, environment: String = "production",
        labels: [String: String] = [:]
    ) -> NodeRecord {
        let spec = NodeSpec(
            region: "eu", zone: "eu-1", labels: [:], runtime: .wasmkit, runtimeVersion: "0.4.2", capabilities: NodeCapabilities(),
            maxModules: 10, hardware: NodeHardware(cpuCores: 2, totalMemoryMB: 2048, architecture: "x86_64"))
        return NodeRecord(
            id: id(name), spec: spec, admission: admission, isEnabled: enabled, registeredAt: 0, updatedAt: 0, lastHeartbeatAt: nil,
            lastHeartbeat: nil, recordedHealth: .healthy, healthChangedAt: nil, environment: environment, labels: labels)
    }

    static func spec(
        _ strategy: RolloutStrategy, threshold: FailureThreshold = .percent(10), autoRollback: Bool = true,
        offline: OfflineNodePolicy = .skip
    ) -> DeploymentSpec {
        DeploymentSpec(
            moduleName: "hello", moduleVersion: "2.0.0", target: DeploymentTarget(regions: ["eu"], offlineNodes: offline), environment: "production",
            function: FunctionConfig(entrypoint: "_start"), strategy: strategy,
            failurePolicy: FailurePolicy(threshold: threshold, nodeTimeoutSeconds: 60, progressDeadlineSeconds: 600, autoRollback: autoRollback))
    }

    /// A deployment in `Approved` with its cohorts planned.
    static func snapshot(_ count: Int, _ spec: DeploymentSpec, id deployment: String = "dep-1", now: Double = 1000) -> RolloutSnapshot {
        let ids = (0..<count).map { id($0 < 10 ? "n0\($0)" : "n\($0)") }
        let cohorts = RolloutPlan.cohorts(ids, deploymentID: deployment, strategy: spec.strategy)
        var rows: [DeploymentNode] = []
        for (step, cohort) in cohorts.enumerated() { rows += cohort.map { DeploymentNode(nodeID: $0, step: step, updatedAt: 0) } }
        let record = DeploymentRecord(
            id: deployment, spec: spec, versionKey: "2.0.0", digest: digest, state: .approved, createdBy: "dev", createdAt: 0,
            stepCount: cohorts.count)
        var fleet: [NodeID: NodeRecord] = [:]
        for node in ids { fleet[node] = Rollout.node(node.value) }
        return RolloutSnapshot(record: record, nodes: rows, fleet: fleet, now: now)
    }

    /// Applies a change to the snapshot, as a commit and re-read would.
    static func apply(_ change: DeploymentDecision, to snapshot: inout RolloutSnapshot) {
        snapshot.record = change.record
        snapshot.nodes = snapshot.nodes.map { change.nodes[$0.nodeID] ?? $0 }
        for (node, baseline) in change.desired { snapshot.current[node] = baseline.module }
    }

    static func report(
        _ snapshot: RolloutSnapshot, _ node: NodeID, _ state: ModuleRunState, reason: String? = nil, digest: ContentDigest = digest
    ) -> RecordedModuleStatus {
        RecordedModuleStatus(
            report: ModuleStatusReport(
                deploymentID: snapshot.record.id, module: "hello", version: "2.0.0", digest: digest, state: state, reason: reason),
            reportedAt: snapshot.now)
    }

    static func dispatched(_ snapshot: RolloutSnapshot) -> [NodeID] {
        snapshot.nodes.filter { $0.state == .updating }.map(\.nodeID)
    }

    static func state(_ snapshot: RolloutSnapshot, _ node: NodeID) -> NodeRolloutState? {
        snapshot.nodes.first { $0.nodeID == node }?.state
    }
}

@Suite("Rollout plan")
struct RolloutPlanTests {
    let ids = (0..<20).map { NodeID("node-\($0)")! }

    @Test("cohorts are deterministic, cover every node once, and differ between deployments")
    func deterministic() {
        let a = RolloutPlan.cohorts(ids, deploymentID: "dep-a", strategy: .rolling(batch: .count(6), pause: .none))
        #expect(a == RolloutPlan.cohorts(ids.reversed(), deploymentID: "dep-a", strategy: .rolling(batch: .count(6), pause: .none)))
        #expect(a.map(\.count) == [6, 6, 6, 2])
        #expect(Set(a.flatMap { $0 }) == Set(ids) && a.flatMap { $0 }.count == ids.count)
        let b = RolloutPlan.cohorts(ids, deploymentID: "dep-b", strategy: .rolling(batch: .count(6), pause: .none))
        #expect(a.flatMap { $0 } != b.flatMap { $0 })
    }

    @Test("canary percentages are cumulative, rounded up, with 100 % implied")
    func canary() {
        #expect(RolloutPlan.cohorts(ids, deploymentID: "d", strategy: .canary(steps: [5, 25], pause: .manual)).map(\.count) == [1, 4, 15])
        #expect(RolloutPlan.cohorts(ids, deploymentID: "d", strategy: .canary(steps: [5, 25, 100], pause: .manual)).map(\.count) == [1, 4, 15])
        // With 3 nodes, 5 % and 25 % both round up to 1 node: no empty cohort.
        #expect(
            RolloutPlan.cohorts(Array(ids.prefix(3)), deploymentID: "d", strategy: .canary(steps: [5, 25], pause: .none)).map(\.count) == [1, 2])
        #expect(RolloutPlan.cohorts(ids, deploymentID: "d", strategy: .rolling(batch: .percent(30), pause: .none)).map(\.count) == [6, 6, 6, 2])
        #expect(RolloutPlan.cohorts(ids, deploymentID: "d", strategy: .allAtOnce).map(\.count) == [20])
        #expect(RolloutPlan.cohorts([], deploymentID: "d", strategy: .allAtOnce).isEmpty)
    }

    @Test("FNV-1a matches the published test vectors")
    func fnv() {
        #expect(RolloutPlan.fnv1a("") == 0xcbf2_9ce4_8422_2325)
        #expect(RolloutPlan.fnv1a("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(RolloutPlan.fnv1a("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test("failure thresholds: more than the count, or more than the percentage of dispatched nodes")
    func thresholds() {
        #expect(!FailureThreshold.count(1).isExceeded(failures: 1, dispatched: 10))
        #expect(FailureThreshold.count(1).isExceeded(failures: 2, dispatched: 10))
        #expect(FailureThreshold.count(0).isExceeded(failures: 1, dispatched: 10))
        #expect(!FailureThreshold.percent(10).isExceeded(failures: 1, dispatched: 10))
        #expect(FailureThreshold.percent(10).isExceeded(failures: 1, dispatched: 5))
        #expect(!FailureThreshold.percent(100).isExceeded(failures: 5, dispatched: 5))
        #expect(!FailureThreshold.percent(0).isExceeded(failures: 0, dispatched: 5))
    }
}
