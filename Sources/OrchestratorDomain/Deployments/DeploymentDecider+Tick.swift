/// The engine's tick: the rollout rules applied to one snapshot.
extension DeploymentDecider {
    /// One engine pass: consume reports, enforce timeouts, the failure threshold
    /// and the progress deadline, open gates and dispatch the next cohort.
    /// `nil` when nothing changed.
    static func advance(_ snapshot: RolloutSnapshot) -> Change? {
        guard snapshot.record.state.isActive else { return nil }
        var change = Change(record: snapshot.record)
        var nodes = Dictionary(uniqueKeysWithValues: snapshot.nodes.map { ($0.nodeID, $0) })
        let time = snapshot.now
        let policy = snapshot.record.spec.failurePolicy

        for (id, node) in nodes where node.state == .updating || node.state == .offline {
            var updated = node
            if let environment = snapshot.movedToOtherEnvironment[id] {
                // It left the release with its environment: its desired state is now that environment's; nothing to wait for.
                updated.state = .skipped
                updated.message = "moved to environment '\(environment)'"
                updated.updatedAt = time
                nodes[id] = updated
                change.nodes[id] = updated
                continue
            }
            if let report = node.currentReport(snapshot.reports[id], for: snapshot.record) {
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
                return revert(snapshot, carrying: change, nodes: nodes, reason: reason, actor: engineActor, automatic: true)
            }
            if change.record.state == .inProgress {
                change.record.state = .paused
                change.record.reason = reason
                change.record.record("paused", actor: engineActor, at: time, detail: reason)
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
                        return revert(snapshot, carrying: change, nodes: nodes, reason: reason, actor: engineActor, automatic: true)
                    }
                    change.record.state = .failed
                    change.record.reason = reason
                    change.record.finishedAt = time
                    change.record.record("failed", actor: engineActor, at: time, detail: reason)
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
                change.record.record("completed", actor: engineActor, at: time, detail: "\(succeeded) of \(nodes.count) nodes running")
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
                    change.record.record("waiting", actor: engineActor, at: time, detail: "cohort \(step + 1) settled; waiting for promote")
                case .seconds(let seconds):
                    change.record.gate = .until(time + Double(seconds))
                    change.record.record("waiting", actor: engineActor, at: time, detail: "cohort \(step + 1) settled; next in \(seconds)s")
                case .none:
                    break
                }
                return change
            default:
                dispatch(step: step + 1, snapshot, into: &change, nodes: &nodes, actor: engineActor)
            }
        }
        return changed(change, from: snapshot)
    }

    /// `nil` when the pass changed nothing (so the engine commits nothing).
    private static func changed(_ change: Change, from snapshot: RolloutSnapshot) -> Change? {
        change.nodes.isEmpty && change.record == snapshot.record ? nil : change
    }
}
