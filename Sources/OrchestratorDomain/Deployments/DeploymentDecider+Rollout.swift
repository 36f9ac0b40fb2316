/// Starting, promoting, cancelling and rolling back a rollout, and dispatching a cohort.
extension DeploymentDecider {
    /// Marks approvals complete and dispatches the first cohort (the `start` command).
    static func startRollout(_ snapshot: RolloutSnapshot, actor: String) -> Change {
        var change = Change(record: snapshot.record)
        var nodes = Dictionary(uniqueKeysWithValues: snapshot.nodes.map { ($0.nodeID, $0) })
        change.record.state = .inProgress
        change.record.startedAt = snapshot.now
        change.record.reason = nil
        change.record.record("started", actor: actor, at: snapshot.now, detail: "\(change.record.spec.strategy.name), \(nodes.count) target nodes")
        dispatch(step: 0, snapshot, into: &change, nodes: &nodes, actor: actor)
        return change
    }

    /// Opens the current gate and dispatches the next cohort (the `promote` command).
    static func openGate(_ snapshot: RolloutSnapshot, actor: String) -> Change {
        var record = snapshot.record
        record.gate = .none
        record.gateOpened = true
        record.record("promoted", actor: actor, at: snapshot.now)
        var opened = snapshot
        opened.record = record
        return advance(opened) ?? Change(record: record)
    }

    /// Reverts every node this deployment touched to its baseline (the previous
    /// completed deployment's module, or nothing), skipping all gates.
    /// Nodes that a later deployment has since taken over are left alone.
    static func revert(_ snapshot: RolloutSnapshot, actor: String, reason: String, automatic: Bool) -> Change {
        let nodes = Dictionary(uniqueKeysWithValues: snapshot.nodes.map { ($0.nodeID, $0) })
        return revert(snapshot, carrying: Change(record: snapshot.record), nodes: nodes, reason: reason, actor: actor, automatic: automatic)
    }

    /// Stops the rollout: nodes not yet dispatched are skipped, dispatched ones keep the new version.
    static func stopRollout(_ snapshot: RolloutSnapshot, actor: String, reason: String?) -> Change {
        var change = Change(record: snapshot.record)
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

    static func revert(
        _ snapshot: RolloutSnapshot, carrying change: Change, nodes: [NodeID: DeploymentNode], reason: String, actor: String, automatic: Bool
    ) -> Change {
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
        change.record.record(
            automatic ? "rolledBack.automatic" : "rolledBack", actor: actor, at: time, detail: "\(reason) (\(reverted) nodes reverted)")
        change.outcome = automatic ? .automaticRollback : .manualRollback
        return change
    }

    static func dispatch(
        step: Int, _ snapshot: RolloutSnapshot, into change: inout Change, nodes: inout [NodeID: DeploymentNode], actor: String
    ) {
        let time = snapshot.now
        let desired = change.record.desiredModule
        var sent = 0
        var skipped = 0
        var offline = 0
        for (id, node) in nodes where node.step == step && node.state == .pending {
            var updated = node
            updated.updatedAt = time
            if let reason = skipReason(id, snapshot) {
                updated.state = .skipped
                updated.message = reason
                skipped += 1
            } else {
                let waitsForReturn = snapshot.offline.contains(id) && snapshot.record.spec.target.offlineNodes == .skip
                // A retirement is done once the entry is gone; an offline node converges when it returns.
                updated.state = change.record.spec.retires ? .succeeded : waitsForReturn ? .offline : .updating
                updated.dispatchedAt = time
                updated.message = waitsForReturn ? "offline: converges when it returns" : nil
                updated.baseline = snapshot.inheritedBaselines[id]?.module ?? (snapshot.inheritedBaselines[id] == nil ? snapshot.current[id] : nil)
                updated.hasBaseline = true
                change.desired[id] = Baseline(module: change.record.spec.retires ? nil : desired)
                if waitsForReturn { offline += 1 } else { sent += 1 }
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
            detail: "cohort \(step + 1) of \(change.record.stepCount): \(sent) nodes updated, \(offline) offline, \(skipped) skipped")
    }

    private static func skipReason(_ id: NodeID, _ snapshot: RolloutSnapshot) -> String? {
        guard let node = snapshot.fleet[id] else { return "deregistered" }
        // An admin moved the node after the deployment was created: it is no longer this environment's to change.
        if node.environment != snapshot.record.spec.environment { return "moved to environment '\(node.environment)'" }
        if node.admission != .accepted { return "not admitted (\(node.admission.rawValue))" }
        if !node.isEnabled { return "disabled" }
        return nil
    }
}
