import OrchestratorDomain

/// The body of `/health` and `/health/ready`, in seed 004's shape.
public struct ReadinessReport: Codable, Sendable, Equatable {
    /// `Healthy`, `Degraded` (only the cache is down) or `Unhealthy` (answered with 503 by `/health/ready`, 200 by `/health`).
    public var status: String
    /// Dependency name → `Healthy` / `Unhealthy`. Production names: `postgresql`, `redis`, `minio`;
    /// the embedded default reports `sqlite`, `inProcessCache`, `filesystem`.
    public var dependencies: [String: String]
    public var version: String
    /// ISO 8601 duration, e.g. `PT72H`.
    public var uptime: String
}
