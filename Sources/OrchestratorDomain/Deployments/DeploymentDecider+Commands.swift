/// Operating a running rollout: pause, resume, promote, cancel and rollback.
extension DeploymentDecider {
    static func pause(_ snapshot: RolloutSnapshot, by principal: Principal, reason: String?) -> Result<Change, DeploymentRefusal> {
        var record = snapshot.record
        switch legal(record.state, .pause) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let state): record.state = state
        }
        record.reason = reason ?? "paused by \(principal.subject)"
        record.record("paused", actor: principal.subject, at: snapshot.now, detail: reason, actors: principal.actors)
        return .success(Change(record: record))
    }

    static func resume(_ snapshot: RolloutSnapshot, by principal: Principal) -> Result<Change, DeploymentRefusal> {
        var record = snapshot.record
        switch legal(record.state, .resume) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let state): record.state = state
        }
        let failures = snapshot.nodes.filter(\.state.isFailure).count
        record.acknowledgedFailures = failures
        record.reason = nil
        // The progress deadline restarts: the time spent paused is not a stalled rollout.
        if record.stepStartedAt != nil { record.stepStartedAt = snapshot.now }
        record.record(
            "resumed", actor: principal.subject, at: snapshot.now, detail: failures > 0 ? "\(failures) failures acknowledged" : nil,
            actors: principal.actors)
        return .success(Change(record: record))
    }

    static func promote(_ snapshot: RolloutSnapshot, by principal: Principal) -> Result<Change, DeploymentRefusal> {
        legal(snapshot.record.state, .promote, .init(atGate: snapshot.record.gate != .none)).map { _ in
            openGate(snapshot, actor: principal.subject)
        }
    }

    /// Who may cancel (the creator or an admin) is the use case's check, made before deciding.
    static func cancel(_ snapshot: RolloutSnapshot, by principal: Principal, reason: String?) -> Result<Change, DeploymentRefusal> {
        legal(snapshot.record.state, .cancel).map { _ in stopRollout(snapshot, actor: principal.subject, reason: reason) }
    }

    /// Seed 004's emergency rollback: no approval, no gates.
    static func rollback(
        _ snapshot: RolloutSnapshot, by principal: Principal, reason: String, trigger: RollbackTrigger
    ) -> Result<Change, DeploymentRefusal> {
        legal(snapshot.record.state, .rollback).map { _ in
            revert(snapshot, actor: principal.subject, reason: reason, automatic: trigger == .automatic)
        }
    }
}
