import OrchestratorDomain
import OrchestratorPorts

extension DeploymentService {
    /// One page of deployments matching `query`, newest first.
    public func list(_ query: DeploymentQuery) async throws -> Page<DeploymentRecord, Int64> {
        try await store.deployments(query)
    }

    /// The node rows of a deployment already read (one read, no existence check), for progress counts.
    public func nodeRows(of record: DeploymentRecord) async throws -> [DeploymentNode] {
        try await returned(store.deploymentNodes(of: record.id), of: record)
    }

    /// Once the rollout is over the engine no longer updates its rows, so a node that was `Offline` and has since
    /// returned, or was retried after completion, and has reported since is shown as its report says (`Succeeded` or
    /// `Failed`); the stored row is unchanged.
    func returned(_ rows: [DeploymentNode], of record: DeploymentRecord) async throws -> [DeploymentNode] {
        let waiting: Set<NodeRolloutState> = [.offline, .updating]
        guard !record.state.isActive, rows.contains(where: { waiting.contains($0.state) }) else { return rows }
        let reports = try await store.statusReports(forDeployment: record.id)
        return rows.map { row in
            guard waiting.contains(row.state), let report = row.currentReport(reports[row.nodeID], for: record) else { return row }
            var shown = row
            switch report.state {
            case .running: shown.state = .succeeded
            case .failed: shown.state = .failed
            default: return row
            }
            shown.message = "reported \(report.state.rawValue) after the rollout"
            return shown
        }
    }

    /// The service's clock (seconds since 1970), which progress and deadlines in answers are measured against.
    public var currentTime: Double { now() }
}
