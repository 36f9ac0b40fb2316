/// Retrying failed nodes without a new deployment (`POST /deployments/{id}/retry`).
extension DeploymentDecider {
    /// Re-dispatches `requested` (or every `Failed`/`TimedOut` target when empty) of an `InProgress`, `Paused` or `Completed`
    /// deployment (a rollout that completed within its failure threshold may still have failed nodes).
    ///
    /// Each node may be retried `budget` times. A retried node is `Updating` again with a fresh node timeout, and its
    /// desired entry carries the attempt number, so its ETag changes and the agent applies the module again. Retrying
    /// does not resume a paused rollout: the failures it clears no longer count towards the threshold, and an
    /// operator resumes when ready.
    static func retry(_ snapshot: RolloutSnapshot, by actor: String, nodes requested: [NodeID], budget: Int) -> Result<Change, DeploymentRefusal> {
        let record = snapshot.record
        if case .failure(let refusal) = legal(record.state, .retry) { return .failure(refusal) }
        let rows = Dictionary(uniqueKeysWithValues: snapshot.nodes.map { ($0.nodeID, $0) })
        let chosen = requested.isEmpty ? snapshot.nodes.filter(\.state.isFailure).map(\.nodeID) : requested
        guard !chosen.isEmpty else { return .failure(.retryRefused("no node of this deployment has failed")) }
        let notFailed = chosen.filter { rows[$0]?.state.isFailure != true }
        guard notFailed.isEmpty else {
            return .failure(.retryRefused("not failed targets of this deployment: \(notFailed.prefix(10).map(\.value).joined(separator: ", "))"))
        }
        let spent = chosen.filter { (rows[$0]?.retries ?? 0) >= budget }
        guard spent.isEmpty else {
            return .failure(
                .retryRefused("retry budget (\(budget)) spent for: \(spent.prefix(10).map(\.value).joined(separator: ", ")); create a new deployment")
            )
        }
        var change = Change(record: record)
        for id in chosen {
            guard var row = rows[id] else { continue }
            let attempt = (row.retries ?? 0) + 1
            row.retries = attempt
            row.state = .updating
            row.dispatchedAt = snapshot.now
            row.updatedAt = snapshot.now
            row.message = "retry \(attempt) of \(budget)"
            change.nodes[id] = row
            var module = record.desiredModule
            module.attempt = attempt
            change.desired[id] = Baseline(module: module)
        }
        let failures = snapshot.nodes.filter(\.state.isFailure).count - chosen.count
        change.record.acknowledgedFailures = min(change.record.acknowledgedFailures, max(0, failures))
        change.record.record(
            "nodes.retried", actor: actor, at: snapshot.now,
            detail: "\(chosen.count) nodes: \(chosen.prefix(10).map(\.value).joined(separator: ", "))")
        return .success(change)
    }
}
