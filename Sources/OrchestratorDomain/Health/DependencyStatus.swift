/// The health of one dependency, spelled as in seed 004's health JSON.
public enum DependencyStatus: String, Sendable, Codable, Hashable {
    case healthy = "Healthy"
    case unhealthy = "Unhealthy"
}

/// The overall health the readiness endpoint reports.
public enum OverallStatus: String, Sendable, Codable, Hashable {
    /// Every dependency answers.
    case healthy = "Healthy"
    /// Only optional dependencies (the cache) are down; requests are still served.
    case degraded = "Degraded"
    /// A required dependency is down; the instance must not receive traffic.
    case unhealthy = "Unhealthy"
}

/// One dependency's probe result.
public struct DependencyCheck: Sendable, Hashable {
    /// The name used as the key under `dependencies` (`postgresql`, `redis`, `minio`, ...).
    public let name: String
    /// `true` when the orchestrator cannot serve requests without it (a required dependency).
    public let isRequired: Bool
    public let status: DependencyStatus

    public init(name: String, isRequired: Bool, status: DependencyStatus) {
        self.name = name
        self.isRequired = isRequired
        self.status = status
    }
}

/// Folds dependency checks into the overall readiness verdict.
public enum ReadinessPolicy {
    /// A required dependency down makes the instance unhealthy; an optional one only degrades it.
    public static func overall(_ checks: [DependencyCheck]) -> OverallStatus {
        if checks.contains(where: { $0.isRequired && $0.status == .unhealthy }) { return .unhealthy }
        if checks.contains(where: { $0.status == .unhealthy }) { return .degraded }
        return .healthy
    }
}
