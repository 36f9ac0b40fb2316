import OrchestratorDomain

extension DeploymentService {
    /// The commands `principal` may send to `record` now (``DeploymentPermissions``), for the representation's
    /// `allowedActions`. `nodes` are the rows already read; `nil` (a listing) leaves out `retry`.
    public func allowedActions(_ record: DeploymentRecord, for principal: Principal, nodes: [DeploymentNode]?) -> [DeploymentAction] {
        DeploymentPermissions.allowedActions(
            for: principal, on: record, policy: policy(of: record), nodes: nodes, retryBudget: settings.retryBudget, at: now())
    }
}
