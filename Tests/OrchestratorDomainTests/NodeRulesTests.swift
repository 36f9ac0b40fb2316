import OrchestratorDomain
import Testing

@Suite("Edge node rules: ids, specs, health, heartbeats, enrollment")
struct NodeRulesTests {
    static func spec(region: String = "us-east", labels: [String: String] = [:]) -> NodeSpec {
        NodeSpec(
            region: region, zone: "us-east-1a", labels: labels, runtime: .wasmtime, runtimeVersion: "15.0.0",
            capabilities: NodeCapabilities(), maxModules: 1000, hardware: NodeHardware(cpuCores: 8, totalMemoryMB: 16384, architecture: "x86_64"))
    }

    @Test(
        "node ids",
        arguments: [
            ("edge-us-east-01", true), ("n.1_a", true), ("a", true), (String(repeating: "a", count: 128), true),
            ("", false), ("-edge", false), ("edge/1", false), ("édge", false), (String(repeating: "a", count: 129), false),
        ])
    func nodeIDs(text: String, valid: Bool) {
        #expect((NodeID(text) != nil) == valid)
    }

    @Test("a seed-shaped spec is valid; each bound is enforced")
    func specBounds() {
        #expect(NodeSpecRules.problem(Self.spec()) == nil)
        var spec = Self.spec()
        spec.region = ""
        #expect(NodeSpecRules.problem(spec)?.contains("region") == true)
        spec = Self.spec(labels: Dictionary(uniqueKeysWithValues: (0..<33).map { ("k\($0)", "v") }))
        #expect(NodeSpecRules.problem(spec)?.contains("labels") == true)
        spec = Self.spec(labels: ["bad key": "v"])
        #expect(NodeSpecRules.problem(spec)?.contains("label") == true)
        spec = Self.spec()
        spec.maxModules = 0
        #expect(NodeSpecRules.problem(spec)?.contains("maxModules") == true)
        spec = Self.spec()
        spec.hardware.cpuCores = -1
        #expect(NodeSpecRules.problem(spec)?.contains("cpuCores") == true)
        spec = Self.spec()
        spec.capabilities.wasiPreviews = ["preview9"]
        #expect(NodeSpecRules.problem(spec)?.contains("wasiPreviews") == true)
    }

    @Test("health from heartbeat age and conditions")
    func health() {
        let policy = HealthPolicy(heartbeatIntervalSeconds: 30, offlineAfterSeconds: 120)
        let warning = NodeCondition(type: "DiskPressure", status: false, severity: .warning)
        let error = NodeCondition(type: "RuntimeReady", status: false, severity: .error)
        let fine = NodeCondition(type: "RuntimeReady", status: true, severity: .error)
        #expect(policy.evaluate(lastHeartbeatAt: nil, conditions: [], now: 1000) == .offline)
        #expect(policy.evaluate(lastHeartbeatAt: 1000, conditions: [], now: 1010) == .healthy)
        #expect(policy.evaluate(lastHeartbeatAt: 1000, conditions: [fine], now: 1010) == .healthy)
        #expect(policy.evaluate(lastHeartbeatAt: 1000, conditions: [warning], now: 1010) == .degraded)
        #expect(policy.evaluate(lastHeartbeatAt: 1000, conditions: [warning, error], now: 1010) == .unhealthy)
        #expect(policy.evaluate(lastHeartbeatAt: 1000, conditions: [], now: 1060) == .healthy)  // exactly two intervals
        #expect(policy.evaluate(lastHeartbeatAt: 1000, conditions: [], now: 1061) == .unhealthy)
        #expect(policy.evaluate(lastHeartbeatAt: 1000, conditions: [], now: 1120) == .unhealthy)
        #expect(policy.evaluate(lastHeartbeatAt: 1000, conditions: [], now: 1121) == .offline)
    }

    @Test("heartbeat bounds: NaN, infinities, negatives, out of range, too many entries")
    func heartbeatBounds() throws {
        let digest = try #require(ContentDigest(hex: String(repeating: "a", count: 64)))
        let good = Heartbeat(
            cpuUsagePercent: 45.2, memoryUsageMB: 8192, modulesLoaded: 42,
            inventory: [InventoryItem(module: "hello", version: "1.0.0", digest: digest, state: .running)], agentVersion: "0.1.0")
        #expect(HeartbeatRules.problem(good) == nil)
        let bad: [(WritableKeyPath<Heartbeat, Double>, Double)] = [
            (\.cpuUsagePercent, .nan), (\.cpuUsagePercent, -1), (\.cpuUsagePercent, 100.1), (\.memoryUsageMB, .infinity), (\.memoryUsageMB, -5),
        ]
        for (path, value) in bad {
            var heartbeat = good
            heartbeat[keyPath: path] = value
            #expect(HeartbeatRules.problem(heartbeat) != nil, "\(value)")
        }
        var heartbeat = good
        heartbeat.modulesLoaded = -1
        #expect(HeartbeatRules.problem(heartbeat)?.contains("modulesLoaded") == true)
        heartbeat = good
        heartbeat.inventory = Array(repeating: good.inventory[0], count: HeartbeatRules.maxInventory + 1)
        #expect(HeartbeatRules.problem(heartbeat)?.contains("inventory") == true)
        heartbeat = good
        heartbeat.conditions = [NodeCondition(type: "has space", status: true)]
        #expect(HeartbeatRules.problem(heartbeat)?.contains("condition") == true)
        heartbeat = good
        heartbeat.inventory = [InventoryItem(module: "Not_A_Module", version: nil, digest: digest, state: .failed)]
        #expect(HeartbeatRules.problem(heartbeat)?.contains("inventory") == true)
    }

    @Test("enrollment tokens: expiry, uses, region and label scope")
    func enrollment() {
        let token = EnrollmentTokenRecord(
            id: "t1", expiresAt: 2000, maxUses: 2, uses: 1, region: "us-east", requiredLabels: ["tier": "edge"],
            createdBy: "admin", createdAt: 1000, description: nil)
        let spec = Self.spec(labels: ["tier": "edge", "x": "y"])
        #expect(EnrollmentRules.refusal(token, spec: spec, now: 1500) == nil)
        #expect(EnrollmentRules.refusal(token, spec: spec, now: 2000) == .expired)
        var used = token
        used.uses = 2
        #expect(EnrollmentRules.refusal(used, spec: spec, now: 1500) == .usedUp)
        #expect(
            EnrollmentRules.refusal(token, spec: Self.spec(region: "eu-west", labels: ["tier": "edge"]), now: 1500)
                == .wrongRegion(allowed: "us-east"))
        #expect(EnrollmentRules.refusal(token, spec: Self.spec(), now: 1500) == nil, "the token's labels are given to the node, not required of it")
    }

    @Test(
        "label selectors",
        arguments: [
            ("tier=edge", ["tier": "edge"]), ("tier=edge, gpu=true", ["tier": "edge", "gpu": "true"]),
            ("", [:]), ("tier", nil), ("tier!=edge", nil), ("=edge", nil),
        ] as [(String, [String: String]?)])
    func selectors(text: String, expected: [String: String]?) {
        #expect(LabelSelector.parse(text) == expected)
    }

    @Test("status reports: a failure needs a reason; fields are bounded")
    func statusReports() throws {
        let digest = try #require(ContentDigest(hex: String(repeating: "b", count: 64)))
        let running = ModuleStatusReport(deploymentID: "d-1", module: "hello", version: "1.0.0", digest: digest, state: .running, reason: nil)
        #expect(ModuleStatusReport.problem(running) == nil)
        var failed = running
        failed.state = .failed
        #expect(ModuleStatusReport.problem(failed)?.contains("reason") == true)
        failed.reason = "trap: unreachable"
        #expect(ModuleStatusReport.problem(failed) == nil)
        failed.reason = String(repeating: "x", count: 1025)
        #expect(ModuleStatusReport.problem(failed) != nil)
    }

    @Test(
        "resource strings follow seed 000",
        arguments: [("128Mi", true, false), ("100m", false, true), ("1Gi", false, false), ("Mi", false, false), ("-1m", false, false)])
    func resources(text: String, memory: Bool, cpu: Bool) {
        #expect(ResourceLimits.isMemory(text) == memory)
        #expect(ResourceLimits.isCPU(text) == cpu)
    }
}
