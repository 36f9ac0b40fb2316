/// What the rollout engine (or a command) sees of one deployment.
public struct RolloutSnapshot: Sendable {
    public var record: DeploymentRecord
    public var nodes: [DeploymentNode]
    /// The latest status report of each target node for this module.
    public var reports: [NodeID: RecordedModuleStatus]
    /// Registered target nodes (missing means deregistered); needed when a cohort is dispatched.
    public var fleet: [NodeID: NodeRecord]
    /// Target nodes that are Offline right now.
    public var offline: Set<NodeID>
    /// Each target node's current desired entry for this module.
    public var current: [NodeID: DesiredModule]
    /// What a node should return to on rollback when it differs from `current`
    /// (its current entry came from a deployment that never completed).
    public var inheritedBaselines: [NodeID: Baseline]
    /// Dispatched nodes that an admin has since moved to another environment
    /// (loaded whenever a rollback may follow). A rollback leaves them unchanged:
    /// their desired state is now their new environment's to decide.
    public var movedToOtherEnvironment: [NodeID: String] = [:]
    public var now: Double

    public init(
        record: DeploymentRecord, nodes: [DeploymentNode], reports: [NodeID: RecordedModuleStatus] = [:], fleet: [NodeID: NodeRecord] = [:],
        offline: Set<NodeID> = [], current: [NodeID: DesiredModule] = [:], inheritedBaselines: [NodeID: Baseline] = [:], now: Double
    ) {
        self.record = record
        self.nodes = nodes
        self.reports = reports
        self.fleet = fleet
        self.offline = offline
        self.current = current
        self.inheritedBaselines = inheritedBaselines
        self.now = now
    }
}

/// A node's rollback target; `module == nil` means "remove the module".
public struct Baseline: Sendable, Hashable {
    public var module: DesiredModule?
    public init(module: DesiredModule?) { self.module = module }
}

/// The result of one evaluation: everything to commit in one transaction.
public struct RolloutChange: Sendable {
    public var record: DeploymentRecord
    /// Only the target nodes whose row changed.
    public var nodes: [NodeID: DeploymentNode] = [:]
    /// Desired-state writes for this module: a module to run, or `nil` to remove it.
    public var desired: [NodeID: Baseline] = [:]
    public var outcome: Outcome?

    public enum Outcome: String, Sendable, Hashable {
        case completed, failed, paused, automaticRollback, manualRollback, cancelled
    }

    public init(record: DeploymentRecord) {
        self.record = record
    }
}

/// The rollout rules, pure: the engine and the commands call these and commit the result.
public enum RolloutEvaluator {
    /// One engine pass: consume reports, enforce timeouts, the failure threshold
    /// and the progress deadline, open gates and dispatch the next cohort.
    /// `nil` when nothing changed.
    public static func advance(_ snapshot: RolloutSnapshot) -> RolloutChange? {
        guard snapshot.record.state.isActive else { return nil }
        var change = RolloutChange(record: snapshot.record)
        var nodes = Dictionary(uniqueKeysWithValues: snapshot.nodes.map { ($0.nodeID, $0) })
        let time = snapshot.now
        let policy = snapshot.record.spec.failurePolicy

        for (id, node) in nodes where node.state == .updating {
            var updated = node
            if let report = snapshot.reports[id]?.report, report.deploymentID == snapshot.record.id, report.digest == snapshot.record.digest {
                switch report.state {
                case .running:
                    updated.state = .succeeded
                    updated.message = nil
                case .failed:
                    updated.state = .failed
                    updated.message = report.reason ?? "the agent reported failed"
                default:
                    updated.message = report.state.rawValue
                }
            }
            if updated.state == .updating, let dispatched = node.dispatchedAt, time - dispatched >= Double(policy.nodeTimeoutSeconds) {
                updated.state = .timedOut
                updated.message = "no 'running' report within \(policy.nodeTimeoutSeconds)s"
            }
            if updated != node {
                updated.updatedAt = time
                nodes[id] = updated
                change.nodes[id] = updated
            }
        }

        let failures = nodes.values.filter(\.state.isFailure).count
        let dispatched = nodes.values.filter(\.state.wasDispatched).count
        if failures > change.record.acknowledgedFailures, policy.threshold.isExceeded(failures: failures, dispatched: dispatched) {
            let reason = "failure threshold \(policy.threshold.text) exceeded: \(failures) of \(dispatched) dispatched nodes failed"
            if policy.autoRollback {
                return rollback(snapshot, carrying: change, nodes: nodes, reason: reason, actor: "rollout-engine", automatic: true)
            }
            if change.record.state == .inProgress {
                change.record.state = .paused
                change.record.reason = reason
                change.record.record("paused", actor: "rollout-engine", at: time, detail: reason)
                change.outcome = .paused
                return change
            }
        }
        guard change.record.state == .inProgress else { return changed(change, from: snapshot) }

        // Settle, open gates and dispatch until the rollout waits (all-skipped cohorts fall through).
        for _ in 0...(change.record.stepCount + 1) {
            let step = change.record.currentStep
            let settled = nodes.values.allSatisfy { $0.step > step || $0.state.isSettled }
            if !settled {
                if let started = change.record.stepStartedAt, time - started >= Double(policy.progressDeadlineSeconds) {
                    let reason = "cohort \(step + 1) of \(change.record.stepCount) did not settle within \(policy.progressDeadlineSeconds)s"
                    if policy.autoRollback {
                        return rollback(snapshot, carrying: change, nodes: nodes, reason: reason, actor: "rollout-engine", automatic: true)
                    }
                    change.record.state = .failed
                    change.record.reason = reason
                    change.record.finishedAt = time
                    change.record.record("failed", actor: "rollout-engine", at: time, detail: reason)
                    change.outcome = .failed
                    return change
                }
                break
            }
            if step >= change.record.stepCount - 1 {
                change.record.state = .completed
                change.record.finishedAt = time
                change.record.gate = .none
                let succeeded = nodes.values.filter { $0.state == .succeeded }.count
                change.record.record("completed", actor: "rollout-engine", at: time, detail: "\(succeeded) of \(nodes.count) nodes running")
                change.outcome = .completed
                return change
            }
            switch change.record.gate {
            case .manual:
                return changed(change, from: snapshot)
            case .until(let opens) where time < opens:
                return changed(change, from: snapshot)
            case .none where step >= 0 && change.record.spec.strategy.pause != .none && !change.record.gateOpened:
                switch change.record.spec.strategy.pause {
                case .manual:
                    change.record.gate = .manual
                    change.record.record("waiting", actor: "rollout-engine", at: time, detail: "cohort \(step + 1) settled; waiting for promote")
                case .seconds(let seconds):
                    change.record.gate = .until(time + Double(seconds))
                    change.record.record("waiting", actor: "rollout-engine", at: time, detail: "cohort \(step + 1) settled; next in \(seconds)s")
                case .none:
                    break
                }
                return change
            default:
                dispatch(step: step + 1, snapshot, into: &change, nodes: &nodes, actor: "rollout-engine")
            }
        }
        return changed(change, from: snapshot)
    }

    /// `nil` when the pass changed nothing (so the engine commits nothing).
    private static func changed(_ change: RolloutChange, from snapshot: RolloutSnapshot) -> RolloutChange? {
        change.nodes.isEmpty && change.record == snapshot.record ? nil : change
    }

    /// Marks approvals complete and dispatches the first cohort (the `start` command).
    public static func start(_ snapshot: RolloutSnapshot, actor: String) -> RolloutChange {
        var change = RolloutChange(record: snapshot.record)
        var nodes = Dictionary(uniqueKeysWithValues: snapshot.nodes.map { ($0.nodeID, $0) })
        change.record.state = .inProgress
        change.record.startedAt = snapshot.now
        change.record.reason = nil
        change.record.record("started", actor: actor, at: snapshot.now, detail: "\(change.record.spec.strategy.name), \(nodes.count) target nodes")
        dispatch(step: 0, snapshot, into: &change, nodes: &nodes, actor: actor)
        return change
    }

    /// Opens the current gate and dispatches the next cohort (the `promote` command).
    public static func promote(_ snapshot: RolloutSnapshot, actor: String) -> RolloutChange {
        var record = snapshot.record
        record.gate = .none
        record.gateOpened = true
        record.record("promoted", actor: actor, at: snapshot.now)
        var opened = snapshot
        opened.record = record
        return advance(opened) ?? RolloutChange(record: record)
    }

    /// Reverts every node this deployment touched to its baseline (the previous
    /// completed deployment's module, or nothing), skipping all gates.
    /// Nodes that a later deployment has since taken over are left alone.
    public static func rollback(_ snapshot: RolloutSnapshot, actor: String, reason: String, automatic: Bool) -> RolloutChange {
        let nodes = Dictionary(uniqueKeysWithValues: snapshot.nodes.map { ($0.nodeID, $0) })
        return rollback(snapshot, carrying: RolloutChange(record: snapshot.record), nodes: nodes, reason: reason, actor: actor, automatic: automatic)
    }

    /// Stops the rollout: nodes not yet dispatched are skipped, dispatched ones keep the new version.
    public static func cancel(_ snapshot: RolloutSnapshot, actor: String, reason: String?) -> RolloutChange {
        var change = RolloutChange(record: snapshot.record)
        for node in snapshot.nodes where node.state == .pending {
            var updated = node
            updated.state = .skipped
            updated.message = "cancelled before its cohort"
            updated.updatedAt = snapshot.now
            change.nodes[node.nodeID] = updated
        }
        change.record.state = .cancelled
        change.record.reason = reason
        change.record.finishedAt = snapshot.now
        change.record.gate = .none
        change.record.record("cancelled", actor: actor, at: snapshot.now, detail: reason)
        change.outcome = .cancelled
        return change
    }

    private static func rollback(
        _ snapshot: RolloutSnapshot, carrying change: RolloutChange, nodes: [NodeID: DeploymentNode], reason: String, actor: String, automatic: Bool
    ) -> RolloutChange {
        var change = change
        let time = snapshot.now
        var reverted = 0
        for (id, node) in nodes where node.state.wasDispatched && node.state != .rolledBack {
            var updated = node
            updated.state = .rolledBack
            updated.updatedAt = time
            if let environment = snapshot.movedToOtherEnvironment[id] {
                updated.message = "left unchanged: moved to environment '\(environment)'"
            } else if let current = snapshot.current[id], current.deploymentID != snapshot.record.id {
                updated.message = "left unchanged: now managed by deployment \(current.deploymentID ?? "unknown")"
            } else {
                change.desired[id] = Baseline(module: node.hasBaseline ? node.baseline : nil)
                updated.message = node.baseline.map { "reverted to \($0.name)@\($0.version)" } ?? "module removed (no previous version)"
                reverted += 1
            }
            change.nodes[id] = updated
        }
        for (id, node) in nodes where node.state == .pending {
            var updated = node
            updated.state = .skipped
            updated.message = "rolled back before its cohort"
            updated.updatedAt = time
            change.nodes[id] = updated
        }
        change.record.state = .rolledBack
        change.record.reason = reason
        change.record.finishedAt = time
        change.record.gate = .none
        change.record.record(automatic ? "rolledBack.automatic" : "rolledBack", actor: actor, at: time, detail: "\(reason) (\(reverted) nodes reverted)")
        change.outcome = automatic ? .automaticRollback : .manualRollback
        return change
    }

    private static func dispatch(
        step: Int, _ snapshot: RolloutSnapshot, into change: inout RolloutChange, nodes: inout [NodeID: DeploymentNode], actor: String
    ) {
        let time = snapshot.now
        let desired = change.record.desiredModule
        var sent = 0
        var skipped = 0
        for (id, node) in nodes where node.step == step && node.state == .pending {
            var updated = node
            updated.updatedAt = time
            if let reason = skipReason(id, snapshot) {
                updated.state = .skipped
                updated.message = reason
                skipped += 1
            } else {
                updated.state = .updating
                updated.dispatchedAt = time
                updated.message = nil
                updated.baseline = snapshot.inheritedBaselines[id]?.module ?? (snapshot.inheritedBaselines[id] == nil ? snapshot.current[id] : nil)
                updated.hasBaseline = true
                change.desired[id] = Baseline(module: desired)
                sent += 1
            }
            nodes[id] = updated
            change.nodes[id] = updated
        }
        change.record.currentStep = step
        change.record.stepStartedAt = time
        change.record.gate = .none
        change.record.gateOpened = false
        change.record.record(
            "cohort.dispatched", actor: actor, at: time,
            detail: "cohort \(step + 1) of \(change.record.stepCount): \(sent) nodes updated, \(skipped) skipped")
    }

    private static func skipReason(_ id: NodeID, _ snapshot: RolloutSnapshot) -> String? {
        guard let node = snapshot.fleet[id] else { return "deregistered" }
        // An admin moved the node after the deployment was created: it is no longer this environment's to change.
        if node.environment != snapshot.record.spec.environment { return "moved to environment '\(node.environment)'" }
        if node.admission != .accepted { return "not admitted (\(node.admission.rawValue))" }
        if !node.isEnabled { return "disabled" }
        if snapshot.offline.contains(id) && snapshot.record.spec.target.offlineNodes == .skip { return "offline" }
        return nil
    }
}
