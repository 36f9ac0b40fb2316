import OrchestratorDomain
import Testing

/// Issue 11, item 7: a deployment reaches only its environment's nodes, by trusted placement only.
@Suite("Environments and trusted labels")
struct EnvironmentTargetingTests {
    static func node(_ name: String, _ environment: String, trusted: [String: String] = [:], reported: [String: String] = [:]) -> NodeRecord {
        var node = Rollout.node(name, environment: environment, labels: trusted)
        node.spec.labels = reported
        return node
    }

    @Test("a target naming nodes of another environment reports them; selectors never match them")
    func selection() {
        let fleet = [Self.node("dev-1", "development"), Self.node("prod-1", "production"), Self.node("prod-2", "production")]
        let named = DeploymentTarget(nodeIds: ["prod-1", "dev-1"]).select(from: fleet, environment: "development")
        #expect(named.targets.map(\.id.value) == ["dev-1"])
        #expect(named.otherEnvironment.map(\.id.value) == ["prod-1"])
        let byRegion = DeploymentTarget(regions: ["eu"]).select(from: fleet, environment: "development")
        #expect(byRegion.targets.map(\.id.value) == ["dev-1"])
        #expect(byRegion.otherEnvironment.isEmpty, "a selector is not a refusal: it simply matches only the deployment's environment")
        #expect(DeploymentTarget(regions: ["eu"]).select(from: fleet, environment: "staging").targets.isEmpty)
    }

    @Test("labels target the trusted labels, never the ones a node reports")
    func trustedLabels() {
        let claims = Self.node("n1", "production", reported: ["tier": "gold"])
        let trusted = Self.node("n2", "production", trusted: ["tier": "gold"])
        let target = DeploymentTarget(labels: ["tier": "gold"])
        #expect(!target.matches(claims, environment: "production"))
        #expect(target.matches(trusted, environment: "production"))
        #expect(!target.matches(trusted, environment: "development"))
    }

    @Test("an admin's update: adopt reported labels, move environment, region and zone; unknown environments are named")
    func adminUpdate() {
        let node = Self.node("n1", "production", trusted: ["rack": "7"], reported: ["tier": "edge"])
        let adopted = NodeUpdate(adoptReportedLabels: true).applied(to: node)
        #expect(adopted.labels == ["rack": "7", "tier": "edge"])
        let moved = NodeUpdate(environment: "staging", region: "us", zone: "us-1").applied(to: node)
        #expect(moved.environment == "staging" && moved.spec.region == "us" && moved.spec.zone == "us-1" && moved.labels == ["rack": "7"])
        let environments: Set<String> = ["production", "staging"]
        #expect(NodeUpdate(environment: "staging").problem(for: node, environments: environments) == nil)
        let problem = NodeUpdate(environment: "qa").problem(for: node, environments: environments)
        #expect(problem?.contains("'qa'") == true && problem?.contains("production, staging") == true)
        #expect(NodeUpdate(region: "bad region").problem(for: node, environments: environments)?.contains("region") == true)
        #expect(NodeUpdate(labels: ["bad key": "x"]).problem(for: node, environments: environments)?.contains("labels") == true)
        #expect(NodeUpdate().isEmpty && !NodeUpdate(adoptReportedLabels: true).isEmpty)
    }

    @Test("a later cohort skips a node moved to another environment after creation")
    func laterCohortSkipsMovedNode() throws {
        var snapshot = Rollout.snapshot(2, Rollout.spec(.rolling(batch: .count(1), pause: .none)))
        Rollout.apply(Rollout.start(snapshot), to: &snapshot)
        let first = try #require(Rollout.dispatched(snapshot).first)
        let second = try #require(snapshot.nodes.map(\.nodeID).first { $0 != first })
        snapshot.fleet[second]?.environment = "development"
        snapshot.reports[first] = Rollout.report(snapshot, first, .running)
        let change = try #require(Rollout.tick(snapshot))
        #expect(change.nodes[second]?.state == .skipped)
        #expect(change.nodes[second]?.message?.contains("moved to environment 'development'") == true)
        #expect(change.desired[second] == nil, "nothing is sent to a node of another environment")
    }

    @Test("offlineNodes: include does not reach a moved node either")
    func includeOfflineSkipsMovedNode() throws {
        var snapshot = Rollout.snapshot(2, Rollout.spec(.allAtOnce, offline: .include))
        let moved = Rollout.id("n01")
        snapshot.fleet[moved]?.environment = "staging"
        snapshot.offline = [moved]
        let start = Rollout.start(snapshot)
        #expect(start.nodes[moved]?.state == .skipped && start.desired[moved] == nil)
        #expect(start.desired[Rollout.id("n00")] != nil)
    }

    @Test("a rollback leaves a node moved to another environment unchanged")
    func rollbackLeavesMovedNode() throws {
        var snapshot = Rollout.snapshot(2, Rollout.spec(.allAtOnce))
        Rollout.apply(Rollout.start(snapshot), to: &snapshot)
        let moved = try #require(Rollout.dispatched(snapshot).first)
        snapshot.movedToOtherEnvironment[moved] = "development"
        let change = Rollout.rollback(snapshot, reason: "incident")
        #expect(change.desired[moved] == nil)
        #expect(change.nodes[moved]?.message == "left unchanged: moved to environment 'development'")
        #expect(change.desired.count == 1, "the other node is reverted")
    }

    @Test("environment names: configured ones only, the refusal names the value and the allowed ones")
    func environmentNames() {
        #expect(EnvironmentRules.problem("production", field: "environment", configured: ["production"]) == nil)
        let problem = EnvironmentRules.problem("qa", field: "environment", configured: ["production", "development"])
        #expect(problem == "'environment' must be one of the configured environments (development, production); 'qa' is not")
        #expect(EnvironmentRules.problem("a\u{0}b", field: "environment", configured: ["production"])?.contains("\u{0}") == false)
    }

    @Test("the read-only token check: expired and used-up tokens are refused without a registration body")
    func tokenUsable() {
        let token = EnrollmentTokenRecord(
            id: "t1", expiresAt: 2000, maxUses: 1, uses: 0, region: nil, requiredLabels: [:], createdBy: "admin", createdAt: 1000, description: nil)
        #expect(token.environment == "production")
        #expect(throws: Never.self) { try EnrollmentRules.checkUsable(token, now: 1500) }
        #expect(throws: EnrollmentRefusal.expired) { try EnrollmentRules.checkUsable(token, now: 2000) }
        var used = token
        used.uses = 1
        #expect(throws: EnrollmentRefusal.usedUp) { try EnrollmentRules.checkUsable(used, now: 1500) }
    }
}
