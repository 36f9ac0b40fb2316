import OrchestratorDomain
import Testing

/// The rules of docs/deployments.md, "Releases and convergence", one row each.
@Suite("Desired state derived from releases")
struct DesiredStateDerivationTests {
    static let v1 = ContentDigest(parsing: "sha256:" + String(repeating: "1", count: 64))!
    static let v2 = ContentDigest(parsing: "sha256:" + String(repeating: "2", count: 64))!

    static func module(_ version: String, _ digest: ContentDigest, name: String = "hello", deployment: String) -> DesiredModule {
        DesiredModule(name: name, version: version, digest: digest, entrypoint: "_start", resources: ResourceLimits(), deploymentID: deployment)
    }

    static func release(
        _ id: String, labels: [String: String] = ["tier": "edge"], priority: Int = 0, createdAt: Double = 1, stable: DesiredModule?,
        rollout: ReleaseRollout? = nil, state: ReleaseState = .active, module: String = "hello"
    ) -> ReleaseRecord {
        var release = ReleaseRecord(
            id: id, environment: "production", moduleName: module, selector: DeploymentTarget(labels: labels), priority: priority,
            createdAt: createdAt)
        release.stable = stable
        release.stableDeploymentID = stable?.deploymentID
        release.rollout = rollout
        release.state = state
        return release
    }

    static let edge = Rollout.node("n1", labels: ["tier": "edge"])

    struct Row: CustomTestStringConvertible, Sendable {
        let rule: String
        let node: NodeRecord
        let current: [DesiredModule]
        let dispatchedBy: [String: Int]
        let releases: [ReleaseRecord]
        /// (module name, version, release id, attempt) the node should have, in name order.
        let expected: [Expected]
        var testDescription: String { rule }
    }

    struct Expected: Equatable, Sendable {
        let name: String
        let version: String
        let release: String?
        var attempt: Int? = nil
    }

    static let stableRelease = release("r1", stable: module("1.0.0", v1, deployment: "d1"))
    static let rolling = release(
        "r1", stable: module("1.0.0", v1, deployment: "d1"),
        rollout: ReleaseRollout(deploymentID: "d2", module: module("2.0.0", v2, deployment: "d2"), isActive: true))
    static let legacy = module("0.9.0", v1, name: "legacy", deployment: "d0")
    static var retriedStable: DesiredModule {
        var entry = managed
        entry.attempt = 1
        return entry
    }
    static var managed: DesiredModule {
        var entry = module("1.0.0", v1, deployment: "d1")
        entry.releaseID = "r1"
        return entry
    }

    static let rows: [Row] = [
        Row(
            rule: "a node the selector matches runs the release's stable version", node: edge, current: [], dispatchedBy: [:],
            releases: [stableRelease], expected: [Expected(name: "hello", version: "1.0.0", release: "r1")]),
        Row(
            rule: "a node of another environment gets nothing", node: Rollout.node("n1", environment: "staging", labels: ["tier": "edge"]),
            current: [], dispatchedBy: [:], releases: [stableRelease], expected: []),
        Row(
            rule: "a node without the trusted label gets nothing", node: Rollout.node("n1", labels: ["tier": "core"]), current: [],
            dispatchedBy: [:], releases: [stableRelease], expected: []),
        Row(
            rule: "during a rollout, a dispatched node runs the new version", node: edge, current: [], dispatchedBy: ["d2": 0],
            releases: [rolling], expected: [Expected(name: "hello", version: "2.0.0", release: "r1")]),
        Row(
            rule: "during a rollout, a node not dispatched (a late joiner too) runs the stable version", node: edge, current: [],
            dispatchedBy: [:], releases: [rolling], expected: [Expected(name: "hello", version: "1.0.0", release: "r1")]),
        Row(
            rule: "a new release rolling out gives nothing to nodes it has not dispatched", node: edge, current: [], dispatchedBy: [:],
            releases: [
                release("r1", stable: nil, rollout: ReleaseRollout(deploymentID: "d2", module: module("2.0.0", v2, deployment: "d2"), isActive: true))
            ], expected: []),
        Row(
            rule: "a stopped rollout (cancelled) keeps its version on the nodes it dispatched", node: edge, current: [],
            dispatchedBy: ["d2": 0],
            releases: [
                release(
                    "r1", stable: module("1.0.0", v1, deployment: "d1"),
                    rollout: ReleaseRollout(deploymentID: "d2", module: module("2.0.0", v2, deployment: "d2"), isActive: false))
            ], expected: [Expected(name: "hello", version: "2.0.0", release: "r1")]),
        Row(
            rule: "a retirement removes the module from the nodes it dispatched", node: edge, current: [managed], dispatchedBy: ["d3": 0],
            releases: [
                release("r1", stable: module("1.0.0", v1, deployment: "d1"), rollout: ReleaseRollout(deploymentID: "d3", module: nil, isActive: true))
            ],
            expected: []),
        Row(
            rule: "the higher priority wins", node: edge, current: [], dispatchedBy: [:],
            releases: [
                release("r1", priority: 5, createdAt: 1, stable: module("1.0.0", v1, deployment: "d1")),
                release("r2", labels: [:], priority: 0, createdAt: 9, stable: module("2.0.0", v2, deployment: "d2")).with(regions: ["eu"]),
            ], expected: [Expected(name: "hello", version: "1.0.0", release: "r1")]),
        Row(
            rule: "at equal priority the newer release wins", node: edge, current: [], dispatchedBy: [:],
            releases: [
                release("r1", createdAt: 1, stable: module("1.0.0", v1, deployment: "d1")),
                release("r2", labels: [:], createdAt: 9, stable: module("2.0.0", v2, deployment: "d2")).with(regions: ["eu"]),
            ], expected: [Expected(name: "hello", version: "2.0.0", release: "r2")]),
        Row(
            rule: "a node that left the selector loses the module a release put there", node: Rollout.node("n1", labels: [:]),
            current: [managed], dispatchedBy: [:], releases: [stableRelease], expected: []),
        Row(
            rule: "a retired release's module is removed", node: edge, current: [managed], dispatchedBy: [:],
            releases: [release("r1", stable: module("1.0.0", v1, deployment: "d1"), state: .retired)], expected: []),
        Row(
            rule: "an entry from before releases existed is kept", node: edge, current: [legacy], dispatchedBy: [:], releases: [stableRelease],
            expected: [Expected(name: "hello", version: "1.0.0", release: "r1"), Expected(name: "legacy", version: "0.9.0", release: nil)]),
        Row(
            rule: "a disabled node is held as it is", node: Rollout.node("n1", enabled: false, labels: ["tier": "edge"]), current: [legacy],
            dispatchedBy: [:], releases: [stableRelease], expected: [Expected(name: "legacy", version: "0.9.0", release: nil)]),
        Row(
            rule: "a pending node gets nothing", node: Rollout.node("n1", admission: .pending, labels: ["tier": "edge"]), current: [],
            dispatchedBy: [:], releases: [stableRelease], expected: []),
        Row(
            rule: "a retried node's entry carries the attempt", node: edge, current: [], dispatchedBy: ["d2": 2], releases: [rolling],
            expected: [Expected(name: "hello", version: "2.0.0", release: "r1", attempt: 2)]),
        Row(
            rule: "after completion, a retry's attempt stays on the entry while it names the same deployment and digest", node: edge,
            current: [retriedStable], dispatchedBy: [:], releases: [stableRelease],
            expected: [Expected(name: "hello", version: "1.0.0", release: "r1", attempt: 1)]),
    ]

    @Test("one row per rule", arguments: rows)
    func derive(_ row: Row) {
        let desired = DesiredStateDerivation.desired(
            DesiredStateDerivation.Input(node: row.node, current: row.current, dispatchedBy: row.dispatchedBy), releases: row.releases)
        #expect(desired.map { Expected(name: $0.name, version: $0.version, release: $0.releaseID, attempt: $0.attempt) } == row.expected)
    }

    @Test("the entry names the deployment whose version it is, so status reports tie back")
    func deploymentOfTheEntry() {
        let during = DesiredStateDerivation.desired(.init(node: Self.edge, current: [], dispatchedBy: ["d2": 0]), releases: [Self.rolling])
        let before = DesiredStateDerivation.desired(.init(node: Self.edge, current: [], dispatchedBy: [:]), releases: [Self.rolling])
        #expect(during.first?.deploymentID == "d2")
        #expect(before.first?.deploymentID == "d1")
    }

    @Test("the result depends only on the inputs: the same inputs in another order give the same entries")
    func pure() {
        let releases = [
            Self.rolling,
            Self.release("r2", labels: [:], createdAt: 9, stable: Self.module("2.0.0", Self.v2, deployment: "d5")).with(regions: ["eu"]),
            Self.release("r3", stable: Self.module("3.0.0", Self.v1, name: "other", deployment: "d6")),
        ]
        let a = DesiredStateDerivation.desired(.init(node: Self.edge, current: [Self.legacy], dispatchedBy: ["d2": 0]), releases: releases)
        let b = DesiredStateDerivation.desired(
            .init(node: Self.edge, current: [Self.legacy], dispatchedBy: ["d2": 0]), releases: releases.reversed())
        #expect(a == b)
    }
}

extension ReleaseRecord {
    /// The same release selecting by region instead.
    func with(regions: [String]) -> ReleaseRecord {
        var copy = self
        copy.selector = DeploymentTarget(regions: regions)
        return copy
    }
}
