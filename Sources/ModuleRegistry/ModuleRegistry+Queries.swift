import OrchestratorDomain
import OrchestratorPorts

extension ModuleRegistry {
    /// One page of modules matching `query`, in name order.
    public func modules(_ query: ModuleQuery) async throws -> Page<ModuleRecord, String> {
        try await catalog.modules(query)
    }

    /// The module named `name`, or `nil`.
    public func module(named name: ModuleName) async throws -> ModuleRecord? {
        try await catalog.module(named: name)
    }

    /// One page of a module's versions matching `query`.
    public func versions(_ query: VersionQuery) async throws -> Page<ModuleVersionRecord, Int64> {
        try await catalog.versions(query)
    }
}
