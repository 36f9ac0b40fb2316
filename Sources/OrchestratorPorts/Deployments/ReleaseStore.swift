import OrchestratorDomain

/// Filters and paging for listing releases, newest first.
public struct ReleaseQuery: Sendable, Hashable {
    public var environment: String?
    public var moduleName: String?
    public var state: ReleaseState?
    /// Continue below this position (exclusive).
    public var beforePosition: Int64?
    public var limit: Int

    public init(environment: String? = nil, moduleName: String? = nil, state: ReleaseState? = nil, beforePosition: Int64? = nil, limit: Int = 50) {
        self.environment = environment
        self.moduleName = moduleName
        self.state = state
        self.beforePosition = beforePosition
        self.limit = limit
    }
}

/// Releases. They are written only inside a ``DeploymentCommit`` (``DeploymentCommit/release``), so a
/// release changes in the same transaction as the deployment that changes it.
public protocol ReleaseStore: Sendable {
    func release(id: String) async throws -> ReleaseRecord?
    /// Newest first; the page position is an opaque insertion order.
    func releases(_ query: ReleaseQuery) async throws -> Page<ReleaseRecord, Int64>
    /// Every active release (what desired state is derived from).
    func activeReleases() async throws -> [ReleaseRecord]
    /// Replaces a node's desired modules with what the derivation computed, unless they changed since
    /// they were read as `expected` (then nothing is written and `false` is returned: a newer write won).
    func replaceDesiredModules(_ modules: [DesiredModule], for id: NodeID, expected: [DesiredModule]) async throws -> Bool
}
