import Foundation
import Logging
import OrchestratorDomain
import OrchestratorPorts

/// The node use cases behind `/api/v1/wasm/nodes` and `/enrollment-tokens`.
public struct NodeService: Sendable {
    let store: any MetadataStore
    public let settings: FleetSettings
    public let credentials: CredentialResolver
    public let heartbeats: HeartbeatIngest
    public let health: HealthMonitor
    public let desiredState: DesiredStateHub
    /// Agents' status reports, buffered and written in batches.
    public let statuses: StatusIngest
    /// Recomputes a node's desired state from the releases when its membership changes.
    public let reconciler: DesiredStateReconciler
    /// Where enrollments and enablement changes are published.
    let events: any EventPublisher
    let now: @Sendable () -> Double
    let logger: Logger

    /// The use case builds nothing: its background collaborators are built and run by the
    /// application's wiring (`buildApplication`), which lists each in the service group.
    public init(
        store: any MetadataStore, settings: FleetSettings, credentials: CredentialResolver, heartbeats: HeartbeatIngest, health: HealthMonitor,
        desiredState: DesiredStateHub, statuses: StatusIngest, reconciler: DesiredStateReconciler, now: @escaping @Sendable () -> Double,
        logger: Logger, events: any EventPublisher = DiscardingEventPublisher()
    ) {
        self.events = events
        self.reconciler = reconciler
        self.store = store
        self.settings = settings
        self.now = now
        self.logger = logger
        self.credentials = credentials
        self.heartbeats = heartbeats
        self.health = health
        self.desiredState = desiredState
        self.statuses = statuses
    }

    public var currentTime: Double { now() }

    // MARK: Enrollment tokens

    /// A new token; the secret is returned once and stored only as a hash.
    /// Every node enrolled with it belongs to `environment` (one of the
    /// configured ones, else ``FleetError/unknownEnvironment(_:)``) and gets
    /// `labels` as its trusted labels.
    public func createEnrollmentToken(
        ttlSeconds: Int, maxUses: Int, region: String?, labels: [String: String], description: String?, actor: String, requestID: String?,
        environment: String = EnvironmentRules.defaultEnvironment
    ) async throws -> (record: EnrollmentTokenRecord, token: String) {
        if let problem = EnvironmentRules.problem(environment, field: "environment", configured: settings.environments) {
            throw FleetError.unknownEnvironment(problem)
        }
        let (id, token) = Secrets.newEnrollmentToken()
        let time = now()
        let record = EnrollmentTokenRecord(
            id: id, expiresAt: time + Double(ttlSeconds), maxUses: maxUses, uses: 0, region: region, requiredLabels: labels,
            createdBy: actor, createdAt: time, description: description, environment: environment)
        try await store.createEnrollmentToken(
            record, secretHash: Secrets.hash(token),
            audit: audit(actor, "node.enrollment-token.create", "enrollment-token:\(id)", requestID))
        return (record, token)
    }

    // MARK: Registration

    /// A read-only check of an enrollment token, by its hash: it exists, has
    /// not expired and has uses left. Takes no write lock and writes nothing,
    /// so a wrong, expired or used-up token costs one indexed read. Call it
    /// before any other work on `POST /nodes`; ``enroll(nodeID:spec:enrollmentToken:requestID:)``
    /// calls it too and then re-checks atomically in its transaction.
    public func checkEnrollmentToken(_ enrollmentToken: String) async throws {
        guard let record = try await store.enrollmentToken(secretHash: Secrets.hash(enrollmentToken)) else {
            throw FleetError.unknownEnrollmentToken
        }
        do throws(EnrollmentRefusal) {
            try EnrollmentRules.checkUsable(record, now: now())
        } catch {
            throw FleetError.enrollmentRefused(error)
        }
    }

    /// Registers a new node with an enrollment token. Returns the node and its
    /// credential (shown once). The node's environment and trusted labels are
    /// the token's; the labels in `spec` are kept as reported labels only.
    public func enroll(nodeID: NodeID, spec: NodeSpec, enrollmentToken: String, requestID: String?) async throws -> (NodeRecord, String) {
        try await checkEnrollmentToken(enrollmentToken)
        if let problem = NodeSpecRules.problem(spec) { throw FleetError.invalidSpec(problem) }
        let credential = Secrets.newNodeCredential()
        let admission: AdmissionState = settings.admission == .auto ? .accepted : .pending
        let enrollment = Enrollment(
            tokenHash: Secrets.hash(enrollmentToken), nodeID: nodeID, spec: spec, admission: admission,
            credentialHash: Secrets.hash(credential), at: now())
        let tokenID = enrollmentToken.split(separator: "_").dropFirst().first.map(String.init) ?? "?"
        switch try await store.enroll(enrollment, audit: audit("enrollment-token:\(tokenID)", "node.register", "node:\(nodeID)", requestID)) {
        case .registered(let node):
            events.publish(NodeEventRules.enrolled(node: node.id.value, environment: node.environment, health: node.recordedHealth, at: now()))
            // A node that joins converges to the releases that select it before its first poll.
            await reconciler.reconcileQuietly([node.id])
            return (node, credential)
        case .unknownToken: throw FleetError.unknownEnrollmentToken
        case .refused(let refusal): throw FleetError.enrollmentRefused(refusal)
        case .nodeExists: throw FleetError.nodeIDTaken(nodeID.value)
        }
    }

    /// The node re-registers itself with its own credential: its spec is replaced.
    /// Its labels become its new reported labels; environment, trusted labels,
    /// region and zone stay as they are (set by the enrollment token or an
    /// admin). A different region or zone is refused, naming the field.
    public func reregister(nodeID: NodeID, spec: NodeSpec, requestID: String?) async throws -> NodeRecord {
        if let problem = NodeSpecRules.problem(spec) { throw FleetError.invalidSpec(problem) }
        let current = try await node(nodeID)
        guard spec.region == current.spec.region else {
            throw FleetError.notSetByNode(
                "a node cannot move itself from region '\(current.spec.region)'; an admin changes 'region' with PUT /nodes/{id}")
        }
        guard spec.zone == current.spec.zone else {
            throw FleetError.notSetByNode("a node cannot move itself from zone '\(current.spec.zone)'; an admin changes 'zone' with PUT /nodes/{id}")
        }
        guard
            let node = try await store.updateSpec(
                of: nodeID, to: spec, at: now(), audit: audit("node:\(nodeID)", "node.reregister", "node:\(nodeID)", requestID))
        else { throw FleetError.nodeNotFound(nodeID.value) }
        return node
    }

    // MARK: Operators

    public func node(_ id: NodeID) async throws -> NodeRecord {
        guard let node = try await store.node(id) else { throw FleetError.nodeNotFound(id.value) }
        return node
    }

    public func decide(_ decision: AdmissionDecision, node id: NodeID, actor: String, requestID: String?) async throws -> NodeRecord {
        let current = try await node(id)
        if decision.isNoOp(from: current.admission) { return current }
        guard
            let updated = try await store.setAdmission(
                id, decision.target, at: now(), audit: audit(actor, "node.\(decision.rawValue)", "node:\(id)", requestID))
        else { throw FleetError.nodeNotFound(id.value) }
        credentials.evict(node: id)
        await reconciler.reconcileQuietly([id])
        return updated
    }

    /// An admin's change: enable/disable, trusted labels (set or adopt the
    /// reported ones), environment, region, zone. A change of environment is
    /// audited on its own (`node.environment.change`, with from and to).
    public func update(node id: NodeID, _ change: NodeUpdate, actor: String, requestID: String?) async throws -> NodeRecord {
        let current = try await node(id)
        if let environment = change.environment,
            let problem = EnvironmentRules.problem(environment, field: "environment", configured: settings.environments)
        {
            throw FleetError.unknownEnvironment(problem)
        }
        if let problem = change.problem(for: current, environments: settings.environments) { throw FleetError.invalidSpec(problem) }
        var audits = [audit(actor, "node.update", "node:\(id)", requestID)]
        if let environment = change.environment, environment != current.environment {
            audits.append(audit(actor, "node.environment.change", "node:\(id) (\(current.environment) -> \(environment))", requestID))
        }
        guard let updated = try await store.updateNode(id, change, at: now(), audit: audits) else { throw FleetError.nodeNotFound(id.value) }
        events.publish(
            NodeEventRules.enablement(
                node: id.value, environment: updated.environment, health: updated.recordedHealth, wasEnabled: current.isEnabled,
                isEnabled: updated.isEnabled, at: updated.updatedAt))
        // Environment, region, zone, trusted labels or enablement may make releases select it, or stop selecting it.
        await reconciler.reconcileQuietly([id])
        return updated
    }

    /// Kept for callers of the former shape: enable/disable and replace the trusted labels.
    public func update(node id: NodeID, isEnabled: Bool?, labels: [String: String]?, actor: String, requestID: String?) async throws -> NodeRecord {
        try await update(node: id, NodeUpdate(isEnabled: isEnabled, labels: labels), actor: actor, requestID: requestID)
    }

    /// A fresh credential; the old one stops working at once on this replica
    /// and within ``FleetSettings/credentialCacheSeconds`` elsewhere.
    public func rotateCredential(node id: NodeID, actor: String, requestID: String?) async throws -> String {
        let credential = Secrets.newNodeCredential()
        guard
            try await store.replaceCredential(
                of: id, with: Secrets.hash(credential), at: now(), audit: audit(actor, "node.credential.rotate", "node:\(id)", requestID))
        else { throw FleetError.nodeNotFound(id.value) }
        credentials.evict(node: id)
        return credential
    }

    public func deregister(node id: NodeID, actor: String, requestID: String?) async throws {
        guard try await store.deleteNode(id, audit: audit(actor, "node.deregister", "node:\(id)", requestID)) else {
            throw FleetError.nodeNotFound(id.value)
        }
        credentials.evict(node: id)
        await heartbeats.forget(id)
        statuses.forget(id)
        await desiredState.notifyChanged(id)
    }

    // MARK: Agent protocol

    /// Validates and accepts a heartbeat from an admitted node.
    public func heartbeat(_ heartbeat: Heartbeat, from id: NodeID) async throws {
        if let problem = HeartbeatRules.problem(heartbeat) { throw FleetError.invalidHeartbeat(problem) }
        heartbeats.record(HeartbeatSnapshot(nodeID: id, at: now(), heartbeat: heartbeat))
    }

    /// The most status rows one node may hold (one per module): its reports cannot grow the table without bound.
    public static let maxStatusRowsPerNode = 256

    /// Validates and buffers a node's reports. A report is accepted only for a module in the
    /// node's desired state, or one it already has a status for (a module just rolled back or
    /// removed, still reported as it stops); anything else is refused before it is buffered.
    public func report(_ reports: [ModuleStatusReport], from id: NodeID) async throws {
        if reports.isEmpty || reports.count > 100 { throw FleetError.invalidReport("send 1 to 100 reports") }
        if let problem = reports.lazy.compactMap(ModuleStatusReport.problem).first { throw FleetError.invalidReport(problem) }
        let desired = Set(try await desiredState.snapshot(for: id).modules.map(\.name))
        let unexpected = reports.filter { !desired.contains($0.module) }
        if !unexpected.isEmpty {
            let known = Set(try await moduleStatuses(of: id).map(\.report.module))
            if let stranger = unexpected.first(where: { !known.contains($0.module) }) {
                throw FleetError.unexpectedReport("module '\(stranger.module)' is not in this node's desired state")
            }
            if known.count > Self.maxStatusRowsPerNode {
                throw FleetError.unexpectedReport("this node already holds \(Self.maxStatusRowsPerNode) module statuses")
            }
        }
        statuses.record(reports, from: id, at: now())
    }

    /// The node's module statuses: stored ones, overlaid with this replica's buffered newer reports.
    public func moduleStatuses(of id: NodeID) async throws -> [RecordedModuleStatus] {
        var byModule = Dictionary(try await store.moduleStatuses(of: id).map { ($0.report.module, $0) }, uniquingKeysWith: { a, _ in a })
        for status in statuses.pending(of: id) where status.reportedAt >= (byModule[status.report.module]?.reportedAt ?? 0) {
            byModule[status.report.module] = status
        }
        return byModule.values.sorted { $0.report.module < $1.report.module }
    }

    /// A jittered poll interval (±20 %), so a fleet never polls in lockstep.
    public func pollAfterSeconds() -> Int {
        Int((settings.pollIntervalSeconds * Double.random(in: 0.8...1.2)).rounded())
    }

    func audit(_ actor: String, _ action: String, _ target: String, _ requestID: String?) -> AuditEvent {
        AuditEvent(actor: actor, action: action, target: target, outcome: .success, requestID: requestID, occurredAt: now())
    }
}
