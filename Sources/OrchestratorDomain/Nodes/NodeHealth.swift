/// A node's health, as seed 004 names it.
public enum NodeHealth: String, Sendable, Hashable, Codable, CaseIterable {
    case healthy = "Healthy"
    case degraded = "Degraded"
    case unhealthy = "Unhealthy"
    case offline = "Offline"
}

/// A condition an agent reports, Kubernetes style: `type` is true or false, with a reason.
public struct NodeCondition: Sendable, Hashable, Codable {
    public enum Severity: String, Sendable, Hashable, Codable {
        case info, warning, error
    }

    public var type: String
    public var status: Bool
    public var severity: Severity
    public var reason: String?
    public var message: String?

    enum CodingKeys: String, CodingKey {
        case type, status, severity, reason, message
    }

    /// `severity` defaults to `warning` when an agent leaves it out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            type: try container.decode(String.self, forKey: .type), status: try container.decode(Bool.self, forKey: .status),
            severity: try container.decodeIfPresent(Severity.self, forKey: .severity) ?? .warning,
            reason: try container.decodeIfPresent(String.self, forKey: .reason), message: try container.decodeIfPresent(String.self, forKey: .message)
        )
    }

    public init(type: String, status: Bool, severity: Severity = .warning, reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.severity = severity
        self.reason = reason
        self.message = message
    }
}

/// Health from heartbeat age and reported conditions. Pure: the clock is a parameter.
///
/// - `Offline`: never heard from, or silent for longer than `offlineAfter` (seed 004's 2-minute alert).
/// - `Unhealthy`: missed more than two heartbeats, or a failing condition of severity `error`.
/// - `Degraded`: a failing condition of severity `warning`.
/// - `Healthy`: otherwise.
///
/// A condition "fails" when its `status` is `false` (e.g. `{"type":"DiskOK","status":false}`).
public struct HealthPolicy: Sendable, Hashable {
    public var heartbeatIntervalSeconds: Double
    public var offlineAfterSeconds: Double

    public init(heartbeatIntervalSeconds: Double = 30, offlineAfterSeconds: Double = 120) {
        self.heartbeatIntervalSeconds = heartbeatIntervalSeconds
        self.offlineAfterSeconds = offlineAfterSeconds
    }

    public func evaluate(lastHeartbeatAt: Double?, conditions: [NodeCondition], now: Double) -> NodeHealth {
        guard let lastHeartbeatAt else { return .offline }
        let age = now - lastHeartbeatAt
        if age > offlineAfterSeconds { return .offline }
        let failing = conditions.filter { !$0.status }
        if age > 2 * heartbeatIntervalSeconds || failing.contains(where: { $0.severity == .error }) { return .unhealthy }
        if failing.contains(where: { $0.severity == .warning }) { return .degraded }
        return .healthy
    }
}
