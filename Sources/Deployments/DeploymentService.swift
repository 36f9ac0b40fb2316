import EdgeFleet
import Foundation
import Logging
import OrchestratorDomain
import OrchestratorPorts

/// The deployment use cases behind `/api/v1/wasm/deployments`.
///
/// Every command reads the deployment, asks the pure state machine and
/// rollout rules what follows, and commits the result compare-and-set on the
/// revision, in one transaction with the nodes' desired state and the audit
/// event. Losing the race re-reads and re-decides, so of two conflicting
/// concurrent commands exactly one wins and the other is refused with the
/// state it lost to.
public struct DeploymentService: Sendable {
    let store: any MetadataStore
    public let settings: DeploymentSettings
    public let engine: RolloutEngine
    let fleet: NodeService
    let loader: SnapshotLoader
    let metrics = DeploymentMetrics()
    let now: @Sendable () -> Double
    let logger: Logger

    /// - Parameter isReady: the engine waits until this is true (the schema is migrated).
    public init(
        store: any MetadataStore, fleet: NodeService, settings: DeploymentSettings, now: @escaping @Sendable () -> Double, logger: Logger,
        isReady: @escaping @Sendable () -> Bool = { true }
    ) {
        self.store = store
        self.fleet = fleet
        self.settings = settings
        self.now = now
        self.logger = logger
        self.loader = SnapshotLoader(store: store, fleet: fleet)
        self.engine = RolloutEngine(
            store: store, loader: loader, desiredState: fleet.desiredState, interval: settings.evaluationIntervalSeconds, now: now, logger: logger,
            isReady: isReady)
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
        _ = try await deployment(id)
        return try await store.deploymentNodes(of: id)
    }

    public func policy(of record: DeploymentRecord) -> EnvironmentPolicy {
        settings.policy(for: record.spec.environment)
    }

    // MARK: Creating

    /// Validates the spec, resolves the version to its digest, selects and
    /// checks the targets, and stores the deployment with its cohorts.
    public func create(_ spec: DeploymentSpec, by principal: Principal, requestID: String?) async throws -> DeploymentRecord {
        if let problem = DeploymentSpecRules.problem(spec, environments: Set(settings.environments.keys)) {
            throw DeploymentError.invalidSpec(problem)
        }
        guard let name = ModuleName(spec.moduleName), let semver = SemanticVersion(spec.moduleVersion) else {
            throw DeploymentError.invalidSpec("'moduleName' or 'moduleVersion' is invalid")
        }
        guard let version = try await store.version(of: name, key: semver.identityKey) else {
            throw DeploymentError.moduleVersionNotFound(module: spec.moduleName, version: spec.moduleVersion)
        }
        guard version.status.acceptsNewDeployments else { throw DeploymentError.versionYanked(module: spec.moduleName, version: version.version) }
        if let problem = TargetResolver.memoryProblem(version, spec: spec) ?? TargetResolver.entrypointProblem(version, spec: spec) {
            throw DeploymentError.invalidSpec(problem)
        }
        let targets = try TargetResolver.targets(spec, fleet: try await store.allNodes())
        guard !targets.isEmpty else { throw DeploymentError.noTargetNodes }
        let incompatible = targets.compactMap { node in
            TargetResolver.incompatibility(node, version: version, spec: spec).map { "\(node.id) (\($0))" }
        }
        guard incompatible.isEmpty else { throw DeploymentError.incompatibleTargets(Array(incompatible.prefix(20)), total: incompatible.count) }

        let time = now()
        let id = UUID().uuidString.lowercased()
        let cohorts = RolloutPlan.cohorts(targets.map(\.id), deploymentID: id, strategy: spec.strategy)
        let policy = settings.policy(for: spec.environment)
        var record = DeploymentRecord(
            id: id, spec: spec, versionKey: semver.identityKey, digest: version.digest,
            state: policy.requireApproval ? .pendingApproval : .approved, createdBy: principal.subject, createdAt: time, stepCount: cohorts.count)
        record.createdByActors = principal.actors.isEmpty ? nil : principal.actors
        record.record(
            "created", actor: principal.subject, at: time,
            detail: "\(spec.moduleName)@\(version.version) to \(targets.count) nodes in \(cohorts.count) cohorts"
                + (policy.requireApproval ? "; needs \(policy.requiredApprovals) approval(s)" : "; no approval required"),
            actors: principal.actors)
        var rows: [DeploymentNode] = []
        for (step, cohort) in cohorts.enumerated() {
            rows += cohort.map { DeploymentNode(nodeID: $0, step: step, updatedAt: time) }
        }
        try await store.markReferenced(module: name, key: semver.identityKey, at: time)
        try await store.createDeployment(record, nodes: rows, audit: audit(principal, "deployment.create", record, requestID))
        logger.info("deployment created", metadata: ["deployment": "\(id)", "module": "\(spec.moduleName)@\(version.version)", "targets": "\(targets.count)"])
        return record
    }

    // MARK: Approval

    public func approve(
        _ id: String, by principal: Principal, comment: String?, reviewedDigest: ContentDigest?, ifMatch: Int?, requestID: String?
    ) async throws -> DeploymentRecord {
        try await transition(id, principal, "deployment.approve", ifMatch: ifMatch, requestID: requestID) { snapshot in
            var record = snapshot.record
            let policy = self.policy(of: record)
            // An Approved deployment whose approvals expired before the start needs approving again.
            if record.state == .approved && !ApprovalRules.isComplete(record.approvals, digest: record.digest, policy: policy, at: snapshot.now) {
                record.state = .pendingApproval
            }
            guard record.state == .pendingApproval else {
                return .failure(.illegalTransition(IllegalTransition(
                    state: record.state, command: .approve, reason: "only a deployment pending approval can be approved")))
            }
            if let refusal = ApprovalRules.refusal(
                approver: principal, creator: record.creator, digest: record.digest, reviewedDigest: reviewedDigest,
                existing: record.approvals, policy: policy, at: snapshot.now)
            {
                return .failure(.approvalRefused(refusal))
            }
            record.approvals.append(Approval(
                approver: principal.subject, role: principal.role, digest: record.digest, comment: comment, approvedAt: snapshot.now,
                expiresAt: snapshot.now + Double(policy.approvalTTLSeconds), actors: principal.actors))
            let complete = ApprovalRules.isComplete(record.approvals, digest: record.digest, policy: policy, at: snapshot.now)
            switch DeploymentStateMachine.next(from: record.state, on: .approve, .init(approvalsComplete: complete)) {
            case .failure(let illegal): return .failure(.illegalTransition(illegal))
            case .success(let state): record.state = state
            }
            let valid = ApprovalRules.validApprovers(record.approvals, digest: record.digest, at: snapshot.now).count
            record.record(
                "approved", actor: principal.subject, at: snapshot.now, detail: "\(valid) of \(policy.requiredApprovals)" + (comment.map { ": \($0)" } ?? ""),
                actors: principal.actors)
            return .success(RolloutChange(record: record))
        }
    }

    public func reject(_ id: String, by principal: Principal, reason: String, ifMatch: Int?, requestID: String?) async throws -> DeploymentRecord {
        try await transition(id, principal, "deployment.reject", ifMatch: ifMatch, requestID: requestID) { snapshot in
            let policy = self.policy(of: snapshot.record)
            guard ApprovalRules.mayApprove(principal.role, policy.approverRole) else {
                return .failure(.approvalRefused(.roleMayNotApprove(principal.role, required: policy.approverRole)))
            }
            var record = snapshot.record
            switch DeploymentStateMachine.next(from: record.state, on: .reject) {
            case .failure(let illegal): return .failure(.illegalTransition(illegal))
            case .success(let state): record.state = state
            }
            record.reason = reason
            record.finishedAt = snapshot.now
            record.record("rejected", actor: principal.subject, at: snapshot.now, detail: reason, actors: principal.actors)
            return .success(RolloutChange(record: record))
        }
    }

    /// Seed 004's `execute`: approves on the caller's behalf when that completes
    /// the approvals (also when earlier ones expired), then starts. Never records
    /// a partial approval: when more approvers are still needed it refuses and
    /// changes nothing. Without required approval, anyone who may deploy may start.
    public func execute(_ id: String, by principal: Principal, note: String?, ifMatch: Int?, requestID: String?) async throws -> DeploymentRecord {
        try await transition(id, principal, "deployment.execute", ifMatch: ifMatch, requestID: requestID, purpose: .start) { snapshot in
            var record = snapshot.record
            let policy = self.policy(of: record)
            guard record.state == .pendingApproval || record.state == .approved else {
                return .failure(.illegalTransition(IllegalTransition(state: record.state, command: .start, reason: "only an approved deployment can start")))
            }
            if !policy.requireApproval {
                guard AccessPolicy.allows(principal, .deploy) else { return .failure(.forbidden("role '\(principal.role.rawValue)' may not start deployments")) }
            } else if !ApprovalRules.isComplete(record.approvals, digest: record.digest, policy: policy, at: snapshot.now) {
                if let refusal = ApprovalRules.refusal(
                    approver: principal, creator: record.creator, digest: record.digest, reviewedDigest: nil, existing: record.approvals,
                    policy: policy, at: snapshot.now)
                {
                    if case .alreadyApproved = refusal {
                        let valid = ApprovalRules.validApprovers(record.approvals, digest: record.digest, at: snapshot.now).count
                        return .failure(.approvalsIncomplete(valid: valid, required: policy.requiredApprovals))
                    }
                    return .failure(.approvalRefused(refusal))
                }
                var approvals = record.approvals
                approvals.append(Approval(
                    approver: principal.subject, role: principal.role, digest: record.digest,
                    comment: note.map { "execute (approvedBy: \($0))" } ?? "execute", approvedAt: snapshot.now,
                    expiresAt: snapshot.now + Double(policy.approvalTTLSeconds), actors: principal.actors))
                let valid = ApprovalRules.validApprovers(approvals, digest: record.digest, at: snapshot.now).count
                guard ApprovalRules.isComplete(approvals, digest: record.digest, policy: policy, at: snapshot.now) else {
                    return .failure(.approvalsIncomplete(valid: valid, required: policy.requiredApprovals))
                }
                record.approvals = approvals
                record.state = .approved
                record.record(
                    "approved", actor: principal.subject, at: snapshot.now, detail: "\(valid) of \(policy.requiredApprovals) (execute)",
                    actors: principal.actors)
            } else if !ApprovalRules.mayApprove(principal.role, policy.approverRole) {
                return .failure(.forbidden("only an approver (\(policy.approverRole.rawValue)) may start this deployment"))
            }
            record.state = .approved
            if case .failure(let illegal) = DeploymentStateMachine.next(from: record.state, on: .start, .init(approvalsComplete: true)) {
                return .failure(.illegalTransition(illegal))
            }
            if let other = snapshot.conflictingDeployment { return .failure(.conflictingDeployment(other)) }
            if snapshot.versionYanked { return .failure(.versionYanked(module: record.spec.moduleName, version: record.spec.moduleVersion)) }
            var started = snapshot.rollout
            started.record = record
            return .success(RolloutEvaluator.start(started, actor: principal.subject))
        }
    }

    // MARK: Operating a rollout

    public func pause(_ id: String, by principal: Principal, reason: String?, ifMatch: Int?, requestID: String?) async throws -> DeploymentRecord {
        try await simple(id, principal, .pause, "deployment.pause", ifMatch: ifMatch, requestID: requestID) { record, time in
            record.reason = reason ?? "paused by \(principal.subject)"
            record.record("paused", actor: principal.subject, at: time, detail: reason, actors: principal.actors)
        }
    }

    public func resume(_ id: String, by principal: Principal, ifMatch: Int?, requestID: String?) async throws -> DeploymentRecord {
        try await transition(id, principal, "deployment.resume", ifMatch: ifMatch, requestID: requestID) { snapshot in
            var record = snapshot.record
            switch DeploymentStateMachine.next(from: record.state, on: .resume) {
            case .failure(let illegal): return .failure(.illegalTransition(illegal))
            case .success(let state): record.state = state
            }
            let failures = snapshot.rollout.nodes.filter(\.state.isFailure).count
            record.acknowledgedFailures = failures
            record.reason = nil
            // The progress deadline restarts: the time spent paused is not a stalled rollout.
            if record.stepStartedAt != nil { record.stepStartedAt = snapshot.now }
            record.record(
                "resumed", actor: principal.subject, at: snapshot.now, detail: failures > 0 ? "\(failures) failures acknowledged" : nil,
                actors: principal.actors)
            return .success(RolloutChange(record: record))
        }
    }

    public func promote(_ id: String, by principal: Principal, ifMatch: Int?, requestID: String?) async throws -> DeploymentRecord {
        try await transition(id, principal, "deployment.promote", ifMatch: ifMatch, requestID: requestID, purpose: .start) { snapshot in
            let record = snapshot.record
            let atGate = record.gate != .none
            if case .failure(let illegal) = DeploymentStateMachine.next(from: record.state, on: .promote, .init(atGate: atGate)) {
                return .failure(.illegalTransition(illegal))
            }
            return .success(RolloutEvaluator.promote(snapshot.rollout, actor: principal.subject))
        }
    }

    public func cancel(_ id: String, by principal: Principal, reason: String?, ifMatch: Int?, requestID: String?) async throws -> DeploymentRecord {
        try await transition(id, principal, "deployment.cancel", ifMatch: ifMatch, requestID: requestID) { snapshot in
            // "The creator" is a person: any name shared with the creating token's subject and actors.
            guard principal.role == .admin || principal.person.isSame(as: snapshot.record.creator) else {
                return .failure(.forbidden("only the creator or an admin may cancel a deployment"))
            }
            if case .failure(let illegal) = DeploymentStateMachine.next(from: snapshot.record.state, on: .cancel) {
                return .failure(.illegalTransition(illegal))
            }
            return .success(RolloutEvaluator.cancel(snapshot.rollout, actor: principal.subject, reason: reason))
        }
    }

    /// Seed 004's emergency rollback: no approval, no gates; audited.
    public func rollback(_ id: String, by principal: Principal, reason: String, ifMatch: Int?, requestID: String?) async throws -> DeploymentRecord {
        try await transition(id, principal, "deployment.rollback", ifMatch: ifMatch, requestID: requestID, purpose: .rollback) { snapshot in
            if case .failure(let illegal) = DeploymentStateMachine.next(from: snapshot.record.state, on: .rollback) {
                return .failure(.illegalTransition(illegal))
            }
            return .success(RolloutEvaluator.rollback(snapshot.rollout, actor: principal.subject, reason: reason, automatic: false))
        }
    }

    // MARK: Committing

    struct CommandSnapshot: Sendable {
        var rollout: RolloutSnapshot
        var record: DeploymentRecord { rollout.record }
        var now: Double { rollout.now }
        /// For `start`: another active deployment of the same module.
        var conflictingDeployment: String?
        var versionYanked = false
    }

    private func simple(
        _ id: String, _ principal: Principal, _ command: DeploymentCommand, _ action: String, ifMatch: Int?, requestID: String?,
        _ mutate: @escaping @Sendable (inout DeploymentRecord, Double) -> Void
    ) async throws -> DeploymentRecord {
        try await transition(id, principal, action, ifMatch: ifMatch, requestID: requestID) { snapshot in
            var record = snapshot.record
            switch DeploymentStateMachine.next(from: record.state, on: command) {
            case .failure(let illegal): return .failure(.illegalTransition(illegal))
            case .success(let state): record.state = state
            }
            mutate(&record, snapshot.now)
            return .success(RolloutChange(record: record))
        }
    }

    /// Read, decide, commit compare-and-set; on a lost race decide again (at most 5 times).
    private func transition(
        _ id: String, _ principal: Principal, _ action: String, ifMatch: Int?, requestID: String?, purpose: SnapshotLoader.Purpose = .plain,
        _ decide: @escaping @Sendable (CommandSnapshot) -> Result<RolloutChange, DeploymentError>
    ) async throws -> DeploymentRecord {
        for _ in 0..<5 {
            let current = try await deployment(id)
            if let ifMatch, ifMatch != current.revision { throw DeploymentError.preconditionFailed(currentRevision: current.revision) }
            let time = now()
            var snapshot = CommandSnapshot(rollout: try await loader.load(current, for: purpose, now: time))
            if purpose == .start && action == "deployment.execute" {
                snapshot.conflictingDeployment = try await store.activeDeployments()
                    .first { $0.spec.moduleName == current.spec.moduleName && $0.id != current.id }?.id
                if let name = ModuleName(current.spec.moduleName), let version = try await store.version(of: name, key: current.versionKey) {
                    snapshot.versionYanked = version.status == .yanked
                }
            }
            switch decide(snapshot) {
            case .failure(let error):
                try? await store.appendAudit(audit(principal, action, current, requestID, outcome: Self.outcome(of: error)))
                throw error
            case .success(var change):
                change.record.revision = current.revision + 1
                change.record.updatedAt = time
                let commit = DeploymentCommit(
                    expectedRevision: current.revision, record: change.record, nodes: Array(change.nodes.values), desired: change.desired,
                    audit: [audit(principal, action, change.record, requestID)], revertOnly: change.record.state == .rolledBack)
                do {
                    guard try await store.commit(commit) else { continue }
                } catch is ActiveDeploymentConflict {
                    let other = try await store.activeDeployments().first { $0.spec.moduleName == current.spec.moduleName && $0.id != current.id }
                    throw DeploymentError.conflictingDeployment(other?.id ?? "another deployment of '\(current.spec.moduleName)'")
                }
                await metrics.published(change, desiredState: fleet.desiredState)
                return change.record
            }
        }
        throw DeploymentError.concurrentChange
    }


    func audit(_ principal: Principal, _ action: String, _ record: DeploymentRecord, _ requestID: String?, outcome: AuditEvent.Outcome = .success) -> AuditEvent {
        AuditEvent(
            actor: principal.subject, action: action, target: "deployment:\(record.id)", outcome: outcome, requestID: requestID, occurredAt: now(),
            actors: principal.actors)
    }

    static func outcome(of error: DeploymentError) -> AuditEvent.Outcome {
        switch error {
        case .forbidden, .approvalRefused(.roleMayNotApprove), .approvalRefused(.selfApproval): .denied
        default: .failure
        }
    }
}
