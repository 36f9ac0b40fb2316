import Deployments
import EdgeFleet
import Logging
import OrchestratorDomain
import OrchestratorPorts
import Testing

/// A deployment service ("replica") over a fleet backend, with the rollout
/// engine driven by hand (`evaluateOnce`) and an injectable clock.
struct DeploymentHarness: Sendable {
    let fleet: FleetHarness
    let nodes: NodeService
    let settings: DeploymentSettings

    static let admin = Principal(subject: "ops", role: .admin)
    static let developer = Principal(subject: "dev", role: .deployer)

    static func with<T: Sendable>(
        _ backend: FleetBackend, clock: TestClock = TestClock(), settings: DeploymentSettings = DeploymentSettings(),
        _ body: @Sendable (DeploymentHarness) async throws -> T
    ) async throws -> T {
        try await backend.withFleet(clock: clock) { fleet in
            let harness = DeploymentHarness(fleet: fleet, nodes: try await fleet.replica(), settings: settings)
            return try await body(harness)
        }
    }

    var store: any MetadataStore { fleet.store }

    /// Another replica of the deployment service (own engine, own desired-state hub).
    func replica() async throws -> DeploymentService {
        DeploymentService.assembled(
            store: store, fleet: try await fleet.replica(), settings: settings, now: { [clock = fleet.clock] in clock.now },
            logger: Logger(label: "test.deployments"))
    }

    /// Registers `hello@version` (exports `handle` and `_start`) in the catalog.
    @discardableResult
    func register(_ version: String, digestByte: Character = "a") async throws -> ContentDigest {
        let digest = ContentDigest(parsing: "sha256:" + String(repeating: digestByte, count: 64))!
        let interface = ModuleInterface(
            kind: .module, exports: [WasmExternal(name: "handle", kind: .function), WasmExternal(name: "_start", kind: .function)], imports: [],
            memories: [MemoryLimits(minPages: 1, maxPages: 4)])
        let registration = VersionRegistration(
            module: ModuleName("hello")!, version: SemanticVersion(version)!, versionText: version, blob: BlobInfo(digest: digest, sizeBytes: 100),
            interface: interface, createdBy: "dev", createdAt: fleet.clock.now, description: nil, owner: nil)
        _ = try await store.register(
            registration, intent: nil,
            audit: AuditEvent(
                actor: "dev", action: "module.version.upload", target: "module:hello@\(version)", outcome: .success, requestID: nil,
                occurredAt: fleet.clock.now))
        return digest
    }

    /// Enrolls nodes `prefix-0…` in region `eu` into `environment` (accepted; offline nodes are included by the specs below).
    func enroll(_ count: Int, prefix: String = "node", environment: String = "development") async throws -> [NodeID] {
        var ids: [NodeID] = []
        for index in 0..<count {
            let (node, _) = try await fleet.enroll(nodes, "\(prefix)-\(index)", region: "eu", environment: environment)
            ids.append(node.id)
        }
        return ids
    }

    static func spec(
        _ version: String, environment: String = "development", strategy: RolloutStrategy = .allAtOnce, threshold: FailureThreshold = .percent(10),
        autoRollback: Bool = false
    ) -> DeploymentSpec {
        DeploymentSpec(
            moduleName: "hello", moduleVersion: version, target: DeploymentTarget(regions: ["eu"], offlineNodes: .include), environment: environment,
            function: FunctionConfig(entrypoint: "handle"), strategy: strategy,
            failurePolicy: FailurePolicy(threshold: threshold, nodeTimeoutSeconds: 300, progressDeadlineSeconds: 900, autoRollback: autoRollback))
    }

    /// Every node whose desired state names `deployment` reports `state` for it.
    func report(_ record: DeploymentRecord, _ state: ModuleRunState = .running, only: Set<NodeID>? = nil) async throws {
        for node in try await store.deploymentNodes(of: record.id) where node.state == .updating && (only?.contains(node.nodeID) ?? true) {
            let report = ModuleStatusReport(
                deploymentID: record.id, module: "hello", version: record.spec.moduleVersion, digest: record.digest, state: state,
                reason: state == .failed ? "trap" : nil)
            try await nodes.report([report], from: node.nodeID)
        }
        try await nodes.statuses.flush()  // the engine reads reports from the database
    }

    func desired(_ node: NodeID) async throws -> DesiredModule? {
        try await store.desiredModules(of: node).first { $0.name == "hello" }
    }
}
