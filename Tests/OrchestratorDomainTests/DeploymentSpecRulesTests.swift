import OrchestratorDomain
import Testing

@Suite("Deployment spec rules")
struct DeploymentSpecRulesTests {
    static let environments: Set<String> = ["development", "staging", "production"]

    func problem(_ edit: @Sendable (inout DeploymentSpec) -> Void) -> String? {
        var spec = Rollout.spec(.canary(steps: [5, 25, 100], pause: .manual))
        edit(&spec)
        return DeploymentSpecRules.problem(spec, environments: Self.environments)
    }

    @Test("a complete spec is valid")
    func valid() {
        #expect(problem { _ in } == nil)
    }

    static let cases: [(String, @Sendable (inout DeploymentSpec) -> Void)] = [
        ("moduleName", { (s: inout DeploymentSpec) in s.moduleName = "Bad Name" }),
        ("moduleVersion", { (s: inout DeploymentSpec) in s.moduleVersion = "1.0" }),
        ("environment", { (s: inout DeploymentSpec) in s.environment = "qa" }),
        ("target", { (s: inout DeploymentSpec) in s.target = DeploymentTarget() }),
        ("nodeIds", { (s: inout DeploymentSpec) in s.target.nodeIds = ["bad id!"] }),
        ("resources.memory", { (s: inout DeploymentSpec) in s.function.resources.memory = "128MB" }),
        ("resources.cpu", { (s: inout DeploymentSpec) in s.function.resources.cpu = "0.1" }),
        ("entrypoint", { (s: inout DeploymentSpec) in s.function.entrypoint = "" }),
        ("strategy.steps", { (s: inout DeploymentSpec) in s.strategy = .canary(steps: [25, 5], pause: .none) }),
        ("strategy.steps", { (s: inout DeploymentSpec) in s.strategy = .canary(steps: [0, 50], pause: .none) }),
        ("strategy.batchSize", { (s: inout DeploymentSpec) in s.strategy = .rolling(batch: .count(0), pause: .none) }),
        ("strategy.pause", { (s: inout DeploymentSpec) in s.strategy = .rolling(batch: .count(1), pause: .seconds(0)) }),
        ("failureThreshold", { (s: inout DeploymentSpec) in s.failurePolicy.threshold = .percent(101) }),
        ("nodeTimeoutSeconds", { (s: inout DeploymentSpec) in s.failurePolicy.nodeTimeoutSeconds = 1 }),
        ("scaling", { (s: inout DeploymentSpec) in s.function.scaling = Scaling(minInstances: 3, maxInstances: 2) }),
        ("env", { (s: inout DeploymentSpec) in s.function.env = ["": "x"] }),
    ]

    @Test("each rule names the field", arguments: cases)
    func rules(field: String, edit: @Sendable (inout DeploymentSpec) -> Void) {
        let text = problem(edit)
        #expect(text?.contains(field) == true, "\(field): \(text ?? "accepted")")
    }

    @Test("target matching: ids always; filters ANDed; no filter matches nothing else")
    func targets() {
        let node = Rollout.node("n1")
        #expect(DeploymentTarget(nodeIds: ["n1"]).matches(node, environment: "production"))
        #expect(!DeploymentTarget(nodeIds: ["n2"]).matches(node, environment: "production"))
        #expect(DeploymentTarget(regions: ["eu", "us"]).matches(node, environment: "production"))
        #expect(!DeploymentTarget(regions: ["eu"], zones: ["eu-2"]).matches(node, environment: "production"))
        #expect(!DeploymentTarget(regions: ["eu"], labels: ["tier": "edge"]).matches(node, environment: "production"))
        #expect(
            DeploymentTarget(nodeIds: ["n1"], regions: ["us"]).matches(node, environment: "production"),
            "an explicit id is targeted whatever the filters")
    }
}
