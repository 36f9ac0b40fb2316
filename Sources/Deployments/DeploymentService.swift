import CoreMetrics
import EdgeFleet
import Foundation
import Logging
import OrchestratorDomain
import OrchestratorPorts

/// The deployment use cases behind `/api/v1/wasm/deployments`.
///
/// Every command reads the deployment, asks ``DeploymentDecider`` what
/// follows, and commits the new deployment compare-and-set on the revision,
/// in one transaction with the decision's desired-state writes and audit
/// events; then it carries out the rest of the effects (wake-ups, metrics).
/// Losing the race re-reads and re-decides, so of two conflicting concurrent
/// commands exactly one wins and the other is refused with the state it lost to.
public struct DeploymentService: Sendable {
    let store: any MetadataStore
    public let settings: DeploymentSettings
    public let engine: RolloutEngine
    let fleet: NodeService
    let loader: SnapshotLoader
    let releases: ReleaseBinding
    let metrics: DeploymentMetrics
    let events: any EventPublisher
    let now: @Sendable () -> Double
    let logger: Logger

    /// - Parameter engine: the rollout engine over the same store and fleet, built and run by the application's wiring
    ///   (this use case only hands it to tests and tools; it does not run it).
    /// - Parameter metrics: the server's metrics factory (the same as the engine's).
    /// - Parameter events: where committed transitions are published (the engine publishes its own).
    public init(
        store: any MetadataStore, fleet: NodeService, engine: RolloutEngine, settings: DeploymentSettings, metrics: any MetricsFactory,
        now: @escaping @Sendable () -> Double, logger: Logger, events: any EventPublisher = DiscardingEventPublisher()
    ) {
        self.events = events
        self.metrics = DeploymentMetrics(factory: metrics)
        self.store = store
        self.fleet = fleet
        self.engine = engine
        self.settings = settings
        self.now = now
        self.logger = logger
        self.loader = SnapshotLoader(store: store, fleet: fleet)
        self.releases = ReleaseBinding(store: store)
    }

    // MARK: Reading

    public func deployment(_ id: String) async throws -> DeploymentRecord {
        // Ids are lowercase UUIDs; anything else cannot exist (and never reaches SQL, so a NUL byte is a 404, not a driver error).
        guard (1...64).contains(id.utf8.count), id.utf8.allSatisfy({ (48...57).contains($0) || (97...122).contains($0) || $0 == 45 }) else {
            throw DeploymentError.notFound(String(id.unicodeScalars.filter { $0.properties.generalCategory != .control }.prefix(64)))
        }
        guard let record = try await store.deployment(id: id) else { throw DeploymentError.notFound(id) }
        return record
    }

    public func nodes(of id: String) async throws -> [DeploymentNode] {
        let record = try await deployment(id)
        return try await returned(store.deploymentNodes(of: id), of: record)
    }

    public func policy(of record: DeploymentRecord) -> EnvironmentPolicy {
        settings.policy(for: record.spec.environment)
    }

    // MARK: Creating

    /// Validates the spec, resolves the version to its digest, selects and
    /// checks the targets (``resolve(_:)``, shared with ``preview(_:)``), and stores the deployment with its cohorts.
    public func create(_ spec: DeploymentSpec, by principal: Principal, requestID: String?) async throws -> DeploymentRecord {
        let resolved = try await resolve(spec)
        let (name, version, targets, cohorts) = (resolved.name, resolved.version, resolved.targets, resolved.cohorts)
        let time = now()
        let id = UUID().uuidString.lowercased()
        let policy = settings.policy(for: spec.environment)
        var draft = DeploymentRecord(
            id: id, spec: spec, versionKey: resolved.versionKey, digest: version.digest, state: .pendingApproval, createdBy: principal.subject,
            createdAt: time, stepCount: cohorts.count)
        draft.createdByActors = principal.actors.isEmpty ? nil : principal.actors
        draft.releaseID = resolved.releaseID
        var rows: [DeploymentNode] = []
        for (step, cohort) in cohorts.enumerated() {
            rows += cohort.map { DeploymentNode(nodeID: $0, step: step, updatedAt: time) }
        }
        let summary = "\(spec.moduleName)@\(version.version) to \(targets.count) nodes in \(cohorts.count) cohorts"
        let submit = DeploymentDecider.Event.submit(by: principal, summary: summary, policy: policy)
        let decision = try DeploymentDecider.decide(submit, RolloutSnapshot(record: draft, nodes: rows, now: time))
            .mapError(DeploymentError.init).get()
        let record = decision.record
        // A submit carries exactly one audit entry (the store records one with the new deployment).
        let created = decision.audits.first.map { auditEvent($0, record, requestID) } ?? audit(principal, submit.action, record, requestID)
        try await store.markReferenced(module: name, key: resolved.versionKey, at: time)
        try await store.createDeployment(record, nodes: rows, audit: created)
        events.publish(DeploymentEventRules.events(from: nil, to: record, nodesChanged: false, at: time))
        logger.info(
            "deployment created", metadata: ["deployment": "\(id)", "module": "\(spec.moduleName)@\(version.version)", "targets": "\(targets.count)"])
        return record
    }

    // MARK: Approval

    public func approve(
        _ id: String, by principal: Principal, comment: String?, reviewedDigest: ContentDigest?, ifMatch: Int?, requestID: String?
    ) async throws -> DeploymentRecord {
        try await transition(id, principal, ifMatch: ifMatch, requestID: requestID) { record in
            .approve(by: principal, comment: comment, reviewedDigest: reviewedDigest, policy: self.policy(of: record))
        }
    }

    public func reject(_ id: String, by principal: Principal, reason: String, ifMatch: Int?, requestID: String?) async throws -> DeploymentRecord {
        let authorize: @Sendable (DeploymentRecord) -> DeploymentError? = { record in
            let policy = self.policy(of: record)
            return DeploymentPermissions.mayReject(principal, policy: policy)
                ? nil : .approvalRefused(.roleMayNotApprove(principal.role, required: policy.approverRole))
        }
        return try await transition(id, principal, ifMatch: ifMatch, requestID: requestID, authorize: authorize) { _ in
            .reject(by: principal, reason: reason)
        }
    }

    /// Seed 004's `execute`: approves on the caller's behalf when that completes
    /// the approvals (also when earlier ones expired), then starts. Never records
    /// a partial approval: when more approvers are still needed it refuses and
    /// changes nothing. Without required approval, anyone who may deploy may start.
    public func execute(_ id: String, by principal: Principal, note: String?, ifMatch: Int?, requestID: String?) async throws -> DeploymentRecord {
        try await transition(id, principal, ifMatch: ifMatch, requestID: requestID, purpose: .start) { record in
            .execute(by: principal, note: note, policy: self.policy(of: record))
        }
    }

    // MARK: Operating a rollout

    public func pause(_ id: String, by principal: Principal, reason: String?, ifMatch: Int?, requestID: String?) async throws -> DeploymentRecord {
        try await transition(id, principal, ifMatch: ifMatch, requestID: requestID) { _ in .pause(by: principal, reason: reason) }
    }

    public func resume(_ id: String, by principal: Principal, ifMatch: Int?, requestID: String?) async throws -> DeploymentRecord {
        try await transition(id, principal, ifMatch: ifMatch, requestID: requestID) { _ in .resume(by: principal) }
    }

    public func promote(_ id: String, by principal: Principal, ifMatch: Int?, requestID: String?) async throws -> DeploymentRecord {
        try await transition(id, principal, ifMatch: ifMatch, requestID: requestID, purpose: .start) { _ in .promote(by: principal) }
    }

    public func cancel(_ id: String, by principal: Principal, reason: String?, ifMatch: Int?, requestID: String?) async throws -> DeploymentRecord {
        // "The creator" is a person: any name shared with the creating token's subject and actors.
        let authorize: @Sendable (DeploymentRecord) -> DeploymentError? = { record in
            DeploymentPermissions.mayCancel(principal, record)
                ? nil : .forbidden("only the creator or an admin may cancel a deployment")
        }
        return try await transition(id, principal, ifMatch: ifMatch, requestID: requestID, authorize: authorize) { _ in
            .cancel(by: principal, reason: reason)
        }
    }

    /// Seed 004's emergency rollback: no approval, no gates; audited.
    public func rollback(_ id: String, by principal: Principal, reason: String, ifMatch: Int?, requestID: String?) async throws -> DeploymentRecord {
        try await transition(id, principal, ifMatch: ifMatch, requestID: requestID, purpose: .rollback) { _ in
            .rollback(by: principal, reason: reason, trigger: .manual)
        }
    }

    /// Re-dispatches failed nodes (`nodes` empty: every failed one) within ``DeploymentSettings/retryBudget``; audited.
    /// A completed deployment retries only while its version is still its release's: once a later deployment took the
    /// release over, re-dispatching the old version would fight the release (and the reconciler would undo it).
    public func retry(_ id: String, nodes: [NodeID], by principal: Principal, ifMatch: Int?, requestID: String?) async throws -> DeploymentRecord {
        let current = try await deployment(id)
        if current.state == .completed, let releaseID = current.releaseID, let release = try await store.release(id: releaseID),
            release.stableDeploymentID != current.id
        {
            throw DeploymentError.retryRefused(
                "release \(releaseID) no longer runs this deployment's version (deployment \(release.stableDeploymentID ?? "none") does)")
        }
        return try await transition(id, principal, ifMatch: ifMatch, requestID: requestID) { [budget = settings.retryBudget] _ in
            .retry(by: principal, nodes: nodes, budget: budget)
        }
    }

    // MARK: Committing

    /// Read, decide, commit compare-and-set; on a lost race decide again (at most 5 times).
    ///
    /// `event` names what happens to the deployment just read. `authorize` refuses a caller who may not
    /// send it at all (a role question, answered before the decision and audited like a refusal).
    private func transition(
        _ id: String, _ principal: Principal, ifMatch: Int?, requestID: String?, purpose: SnapshotLoader.Purpose = .plain,
        authorize: @escaping @Sendable (DeploymentRecord) -> DeploymentError? = { _ in nil },
        _ event: @escaping @Sendable (DeploymentRecord) -> DeploymentDecider.Event
    ) async throws -> DeploymentRecord {
        for _ in 0..<5 {
            let current = try await deployment(id)
            if let ifMatch, ifMatch != current.revision { throw DeploymentError.preconditionFailed(currentRevision: current.revision) }
            let time = now()
            let happening = event(current)
            var snapshot = try await loader.load(current, for: purpose, now: time)
            if let refusal = authorize(current) {
                try? await store.appendAudit(audit(principal, happening.action, current, requestID, outcome: Self.outcome(of: refusal)))
                throw refusal
            }
            if case .execute = happening { try await loadStartConditions(of: current, into: &snapshot) }
            let decided = DeploymentDecider.decide(happening, snapshot).mapError(DeploymentError.init)
            switch decided {
            case .failure(let error):
                try? await store.appendAudit(audit(principal, happening.action, current, requestID, outcome: Self.outcome(of: error)))
                throw error
            case .success(var decision):
                decision.record.revision = current.revision + 1
                decision.record.updatedAt = time
                let release = try await releases.bind(&decision.record, before: current, now: time)
                let commit = DeploymentCommit(
                    expectedRevision: current.revision, record: decision.record, nodes: Array(decision.nodes.values), desired: decision.desired,
                    audit: decision.audits.map { auditEvent($0, decision.record, requestID) }, revertOnly: decision.record.state == .rolledBack,
                    release: release)
                do {
                    guard try await store.commit(commit) else { continue }
                } catch is ActiveDeploymentConflict {
                    let other = try await store.activeDeployments().first { $0.spec.moduleName == current.spec.moduleName && $0.id != current.id }
                    throw DeploymentError.conflictingDeployment(other?.id ?? "another deployment of '\(current.spec.moduleName)'")
                }
                await decision.carryOut(desiredState: fleet.desiredState, metrics: metrics, events: events, before: current.state, at: time)
                if release != nil { await fleet.reconciler.reconcileQuietly() }
                return decision.record
            }
        }
        throw DeploymentError.concurrentChange
    }

    /// What `execute` must know besides the rollout: another active deployment of the module, and whether the version was yanked.
    private func loadStartConditions(of current: DeploymentRecord, into snapshot: inout RolloutSnapshot) async throws {
        snapshot.conflictingDeployment = try await store.activeDeployments()
            .first { $0.spec.moduleName == current.spec.moduleName && $0.id != current.id }?.id
        if let name = ModuleName(current.spec.moduleName), let version = try await store.version(of: name, key: current.versionKey) {
            snapshot.versionYanked = version.status == .yanked
        }
    }

    func audit(
        _ principal: Principal, _ action: String, _ record: DeploymentRecord, _ requestID: String?, outcome: AuditEvent.Outcome = .success
    ) -> AuditEvent {
        auditEvent(DeploymentAuditEntry(action: action, actor: principal.subject, actors: principal.actors, outcome: outcome), record, requestID)
    }

    func auditEvent(_ entry: DeploymentAuditEntry, _ record: DeploymentRecord, _ requestID: String?) -> AuditEvent {
        AuditEvent(
            actor: entry.actor, action: entry.action, target: "deployment:\(record.id)", outcome: entry.outcome, requestID: requestID,
            occurredAt: now(), actors: entry.actors)
    }

    static func outcome(of error: DeploymentError) -> AuditEvent.Outcome {
        switch error {
        case .forbidden, .approvalRefused(.roleMayNotApprove), .approvalRefused(.selfApproval): .denied
        default: .failure
        }
    }
}
