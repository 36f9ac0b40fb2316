import OrchestratorDomain
import Testing

/// How deployments move their release, and which release a new deployment belongs to (docs/deployments.md).
@Suite("Releases: transitions and resolution")
struct ReleaseRulesTests {
    typealias D = DesiredStateDerivationTests

    static func deployment(
        _ id: String, state: DeploymentState, release: String = "r1", retire: Bool = false, labels: [String: String] = ["tier": "edge"]
    )
        -> DeploymentRecord
    {
        var spec = Rollout.spec(.allAtOnce)
        spec.target = DeploymentTarget(labels: labels)
        spec.retire = retire ? true : nil
        var record = DeploymentRecord(
            id: id, spec: spec, versionKey: "2.0.0", digest: D.v2, state: state, createdBy: "ops", createdAt: 0, stepCount: 1)
        record.releaseID = release
        return record
    }

    @Test("a first deployment creates its release when it starts; completing it makes its version stable")
    func createThenComplete() throws {
        let approved = Self.deployment("d1", state: .approved)
        var started = approved
        started.state = .inProgress
        let created = try #require(ReleaseTransition.apply(nil, before: approved, after: started, now: 5))
        #expect(created.id == "r1" && created.revision == 1 && created.stable == nil && created.rollout?.deploymentID == "d1")
        #expect(created.rollout?.module?.digest == D.v2 && created.rollout?.isActive == true)
        var completed = started
        completed.state = .completed
        let stable = try #require(ReleaseTransition.apply(created, before: started, after: completed, now: 9))
        #expect(stable.stable?.digest == D.v2 && stable.stableDeploymentID == "d1" && stable.rollout == nil && stable.revision == 2)
    }

    @Test("rolling back during the rollout clears it; after completion returns the release to what it ran before")
    func rollback() throws {
        var release = D.rolling
        var inProgress = Self.deployment("d2", state: .inProgress)
        var rolledBack = inProgress
        rolledBack.state = .rolledBack
        let cleared = try #require(ReleaseTransition.apply(release, before: inProgress, after: rolledBack, now: 9))
        #expect(cleared.rollout == nil && cleared.stable?.version == "1.0.0" && cleared.state == .active)

        // d2 completed, then is rolled back: the release returns to d1's version.
        release.stable = release.rollout?.module
        release.stableDeploymentID = "d2"
        release.rollout = nil
        inProgress = ReleaseTransition.starting(inProgress, release: D.stableRelease)
        var completed = inProgress
        completed.state = .completed
        var back = completed
        back.state = .rolledBack
        let reverted = try #require(ReleaseTransition.apply(release, before: completed, after: back, now: 10))
        #expect(reverted.stable?.version == "1.0.0" && reverted.stableDeploymentID == "d1")
    }

    @Test("rolling back the deployment that created the release retires it; an older deployment changes nothing")
    func rollbackEdges() throws {
        let first = ReleaseTransition.starting(Self.deployment("d1", state: .completed), release: nil)
        var release = D.release("r1", stable: D.module("2.0.0", D.v2, deployment: "d1"))
        var back = first
        back.state = .rolledBack
        let retired = try #require(ReleaseTransition.apply(release, before: first, after: back, now: 3))
        #expect(retired.state == .retired && retired.stable == nil)
        release.stableDeploymentID = "d9"  // a later deployment has taken the release over
        #expect(ReleaseTransition.apply(release, before: first, after: back, now: 3) == nil)
    }

    @Test("a cancelled rollout stays, inactive; a retirement's rollout removes the module and completing it retires the release")
    func cancelAndRetire() throws {
        var inProgress = Self.deployment("d2", state: .inProgress)
        var cancelled = inProgress
        cancelled.state = .cancelled
        let stopped = try #require(ReleaseTransition.apply(D.rolling, before: inProgress, after: cancelled, now: 4))
        #expect(stopped.rollout?.isActive == false && stopped.rollout?.deploymentID == "d2")

        let approved = Self.deployment("d3", state: .approved, retire: true)
        inProgress = approved
        inProgress.state = .inProgress
        let retiring = try #require(ReleaseTransition.apply(D.stableRelease, before: approved, after: inProgress, now: 5))
        #expect(retiring.rollout?.module == nil && retiring.rollout?.deploymentID == "d3")
        var completed = inProgress
        completed.state = .completed
        let retired = try #require(ReleaseTransition.apply(retiring, before: inProgress, after: completed, now: 6))
        #expect(retired.state == .retired && retired.stable == nil)
    }

    @Test("resolution: the same target changes the existing release; a new one is created otherwise")
    func resolve() throws {
        var spec = Rollout.spec(.allAtOnce)
        spec.target = DeploymentTarget(labels: ["tier": "edge"], offlineNodes: .include)
        let existing = ReleaseResolution.resolve(spec, requested: nil, releases: [D.stableRelease], fleet: [D.edge], newID: "new", now: 1)
        #expect(try existing.get() == "r1")
        spec.target = DeploymentTarget(nodeIds: ["n7"])
        #expect(
            try ReleaseResolution.resolve(spec, requested: nil, releases: [D.stableRelease], fleet: [D.edge], newID: "new", now: 1).get() == "new")
    }

    @Test("resolution refuses an equal-priority overlap naming both releases, and accepts it at a higher priority")
    func conflicts() throws {
        var spec = Rollout.spec(.allAtOnce)
        spec.target = DeploymentTarget(nodeIds: ["n1"])
        let refused = ReleaseResolution.resolve(spec, requested: nil, releases: [D.stableRelease], fleet: [D.edge], newID: "new", now: 1)
        #expect(refused == .failure(.unsettledConflict(release: "new", other: "r1", nodes: ["n1"])))
        spec.priority = 10
        #expect(
            try ReleaseResolution.resolve(spec, requested: nil, releases: [D.stableRelease], fleet: [D.edge], newID: "new", now: 1).get() == "new")
        // No node in common: no conflict at all.
        spec.priority = nil
        spec.target = DeploymentTarget(nodeIds: ["n2"])
        #expect(
            try ReleaseResolution.resolve(spec, requested: nil, releases: [D.stableRelease], fleet: [D.edge], newID: "new", now: 1).get() == "new")
    }

    @Test("resolution: a named release must exist, match module, environment and target; a retirement needs a release")
    func named() {
        var spec = Rollout.spec(.allAtOnce)
        spec.target = DeploymentTarget(labels: ["tier": "edge"])
        #expect(
            ReleaseResolution.resolve(spec, requested: "nope", releases: [D.stableRelease], fleet: [], newID: "x", now: 1)
                == .failure(.releaseNotFound("nope")))
        spec.target = DeploymentTarget(labels: ["tier": "core"])
        guard
            case .failure(.releaseMismatch) = ReleaseResolution.resolve(
                spec, requested: "r1", releases: [D.stableRelease], fleet: [], newID: "x", now: 1)
        else {
            Issue.record("a different target under a named release must be refused")
            return
        }
        spec.retire = true
        #expect(
            ReleaseResolution.resolve(spec, requested: nil, releases: [D.stableRelease], fleet: [], newID: "x", now: 1)
                == .failure(.nothingToRetire(module: "hello", environment: "production")))
    }

    @Test("a deployment's priority and release id are bounded by the spec rules, not only by the HTTP layer")
    func bounds() {
        var spec = Rollout.spec(.allAtOnce)
        spec.priority = 1001
        #expect(DeploymentSpecRules.problem(spec, environments: ["production"])?.contains("'priority'") == true)
        spec.priority = -1000
        #expect(DeploymentSpecRules.problem(spec, environments: ["production"]) == nil)
        spec.releaseID = String(repeating: "r", count: 65)
        #expect(DeploymentSpecRules.problem(spec, environments: ["production"])?.contains("'releaseId'") == true)
        spec.releaseID = "r\u{0}"
        #expect(DeploymentSpecRules.problem(spec, environments: ["production"])?.contains("'releaseId'") == true)
    }
}
