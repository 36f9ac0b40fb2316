import OrchestratorDomain
import OrchestratorPorts

extension DeploymentService {
    /// One page of deployments matching `query`, newest first.
    public func list(_ query: DeploymentQuery) async throws -> Page<DeploymentRecord, Int64> {
        try await store.deployments(query)
    }

    /// The node rows of a deployment already read (one read, no existence check), for progress counts.
    public func nodeRows(of record: DeploymentRecord) async throws -> [DeploymentNode] {
        try await store.deploymentNodes(of: record.id)
    }

    /// The service's clock (seconds since 1970), which progress and deadlines in answers are measured against.
    public var currentTime: Double { now() }
}
