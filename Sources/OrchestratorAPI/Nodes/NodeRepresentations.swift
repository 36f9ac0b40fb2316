import EdgeFleet
import Foundation
import Hummingbird
import OrchestratorDomain
import OrchestratorPorts

/// The body of `POST /nodes`: seed 004's `edge-node-config.json` fields in camelCase.
/// `labels` are what the node reports for itself (kept as `reportedLabels`).
struct RegisterNodeRequest: Decodable {
    let nodeId: String
    let region: String
    let zone: String
    let labels: [String: String]?
    /// Never accepted: decoded only to refuse it (400), because a node must not choose its environment.
    let environment: String?
    /// `wasmtime`, `wasmedge` or `wasmkit` (any case, as seed 004 writes `Wasmtime`).
    let runtime: String
    let runtimeVersion: String
    let capabilities: NodeCapabilities?
    let maxModules: Int?
    let hardware: NodeHardware

    func spec() throws -> NodeSpec {
        if environment != nil {
            throw FleetError.notSetByNode("'environment' is set by the enrollment token or an admin, never by the node; remove it from the body")
        }
        guard let runtime = WasmRuntime(rawValue: runtime.lowercased()) else {
            throw APIError.badRequest(detail: "'runtime' must be one of wasmtime, wasmedge, wasmkit")
        }
        return NodeSpec(
            region: region, zone: zone, labels: labels ?? [:], runtime: runtime, runtimeVersion: runtimeVersion,
            capabilities: capabilities ?? NodeCapabilities(), maxModules: maxModules ?? 1000, hardware: hardware)
    }
}

struct NodeBody: ResponseEncodable {
    let nodeId: String
    /// Set by the enrollment token or an admin.
    let environment: String
    let region: String
    let zone: String
    /// Trusted labels (enrollment token or admin): the ones targeting and `selector=` use.
    let labels: [String: String]
    /// What the node reports for itself; never used for targeting unless an admin adopts them.
    let reportedLabels: [String: String]
    let runtime: String
    let runtimeVersion: String
    let capabilities: NodeCapabilities
    let maxModules: Int
    let hardware: NodeHardware
    let admission: String
    let isEnabled: Bool
    /// Health as last recorded by the health monitor (re-evaluated every few seconds).
    let health: String
    let lastHeartbeat: String?
    let registeredAt: String
    let updatedAt: String
    /// Observed state has differed from desired state for longer than `nodes.driftAfterSeconds`.
    let drifted: Bool
    /// Only when one node is read: what it should run, what its latest heartbeat says it holds, and how they differ.
    let desired: [DesiredEntry]?
    let observed: ObservedBody?
    let drift: DriftBody?

    struct DesiredEntry: Encodable {
        let name: String
        let version: String
        let digest: String
        let releaseId: String?
        let deploymentId: String?
    }

    struct ObservedBody: Encodable {
        let at: String
        let modules: [InventoryItem]
    }

    struct DriftBody: Encodable {
        let inSync: Bool
        let drifted: Bool
        /// When the differences began, as this replica saw them.
        let since: String?
        let differences: [ModuleDrift]
    }

    init(_ node: NodeRecord, drifted: Bool, observation: NodeObservation? = nil) {
        self.drifted = drifted
        desired = observation?.desired.map {
            DesiredEntry(name: $0.name, version: $0.version, digest: $0.digest.description, releaseId: $0.releaseID, deploymentId: $0.deploymentID)
        }
        observed = observation.flatMap { observation in
            observation.observed.map { ObservedBody(at: RFC3339.format(observation.observedAt ?? 0), modules: $0) }
        }
        drift = observation.map {
            DriftBody(
                inSync: $0.differences.isEmpty, drifted: $0.drifted, since: $0.driftingSince.map(RFC3339.format), differences: $0.differences)
        }
        nodeId = node.id.value
        environment = node.environment
        region = node.spec.region
        zone = node.spec.zone
        labels = node.labels
        reportedLabels = node.reportedLabels
        runtime = node.spec.runtime.rawValue
        runtimeVersion = node.spec.runtimeVersion
        capabilities = node.spec.capabilities
        maxModules = node.spec.maxModules
        hardware = node.spec.hardware
        admission = node.admission.rawValue
        isEnabled = node.isEnabled
        health = node.recordedHealth.rawValue
        lastHeartbeat = node.lastHeartbeatAt.map(RFC3339.format)
        registeredAt = RFC3339.format(node.registeredAt)
        updatedAt = RFC3339.format(node.updatedAt)
    }
}

/// Registration answer: the node plus, once, its credential.
struct RegisteredNodeBody: ResponseEncodable {
    let node: NodeBody
    /// The node's own bearer credential. Shown once; store it with mode 0600.
    let credential: String?
    let heartbeatIntervalSeconds: Int
}

/// Seed 004's health document, exactly.
struct NodeHealthBody: ResponseEncodable {
    let nodeId: String
    let status: String
    let modulesLoaded: Int
    let cpuUsagePercent: Double
    let memoryUsageMB: Double
    let lastHeartbeat: String?
}

struct DesiredStateBody: ResponseEncodable {
    let nodeId: String
    /// The ETag's value without quotes.
    let revision: String
    let modules: [Module]
    /// When to poll next, already jittered (±20 %).
    let pollAfterSeconds: Int

    struct Module: Encodable {
        let name: String
        let version: String
        let digest: String
        /// Proxied through the server with the node credential; it may answer 307 to a presigned URL.
        let downloadUrl: String
        let entrypoint: String
        let resources: ResourceLimits
        let config: [String: String]
        let deploymentId: String?
        /// The release the node follows for this module (absent for entries made before releases).
        let releaseId: String?
        /// Set after a retry; a new attempt changes the revision, so the agent applies the module again.
        let attempt: Int?
        /// Environment variables for the instance; absent when none.
        let env: [String: String]?
        /// Instances per node; absent means one.
        let scaling: Scaling?

        init(_ module: DesiredModule) {
            name = module.name
            version = module.version
            digest = module.digest.description
            downloadUrl = ModulePaths.version(module.name, module.version) + "/content"
            entrypoint = module.entrypoint
            resources = module.resources
            config = module.config
            deploymentId = module.deploymentID
            releaseId = module.releaseID
            attempt = module.attempt
            env = module.env
            scaling = module.scaling
        }
    }
}

struct EnrollmentTokenBody: ResponseEncodable {
    let id: String
    /// Only in the creation answer.
    let token: String?
    let expiresAt: String
    let maxUses: Int
    let uses: Int
    let region: String?
    /// Trusted labels given to every node enrolled with the token.
    let labels: [String: String]
    /// The environment every node enrolled with the token belongs to.
    let environment: String
    let description: String?
    let createdBy: String
    let createdAt: String

    init(_ record: EnrollmentTokenRecord, token: String? = nil) {
        id = record.id
        self.token = token
        expiresAt = RFC3339.format(record.expiresAt)
        maxUses = record.maxUses
        uses = record.uses
        region = record.region
        labels = record.requiredLabels
        environment = record.environment
        description = record.description
        createdBy = record.createdBy
        createdAt = RFC3339.format(record.createdAt)
    }
}

struct StatusReportsRequest: Decodable {
    let reports: [Report]

    struct Report: Decodable {
        let deploymentId: String?
        let module: String
        let version: String
        let digest: ContentDigest
        let state: ModuleRunState
        let reason: String?

        var domain: ModuleStatusReport {
            ModuleStatusReport(deploymentID: deploymentId, module: module, version: version, digest: digest, state: state, reason: reason)
        }
    }
}

struct StatusReportBody: Encodable, Sendable {
    let deploymentId: String?
    let module: String
    let version: String
    let digest: String
    let state: String
    let reason: String?
    let reportedAt: String

    init(_ status: RecordedModuleStatus) {
        deploymentId = status.report.deploymentID
        module = status.report.module
        version = status.report.version
        digest = status.report.digest.description
        state = status.report.state.rawValue
        reason = status.report.reason
        reportedAt = RFC3339.format(status.reportedAt)
    }
}

struct HealthTransitionBody: Encodable, Sendable {
    let from: String
    let to: String
    let at: String
}
