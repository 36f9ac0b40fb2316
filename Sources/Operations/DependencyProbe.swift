import OrchestratorDomain

/// How to ping one dependency, shared by readiness and the background ``DependencyWatch``.
public struct DependencyProbe: Sendable {
    /// The key under `dependencies` (`postgresql`, `redis`, `minio`, ...).
    public let name: String
    /// `true` when the orchestrator cannot serve requests without it.
    public let isRequired: Bool
    /// `true` for the metadata store: it counts as down until its schema is migrated.
    public let needsSchema: Bool
    /// Throws when the dependency does not answer.
    public let ping: @Sendable () async throws -> Void

    public init(name: String, isRequired: Bool, needsSchema: Bool = false, ping: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.isRequired = isRequired
        self.needsSchema = needsSchema
        self.ping = ping
    }
}
