/// A registered node as the orchestrator knows it.
///
/// What decides where deployments go is trusted: ``environment`` and
/// ``labels`` come from the enrollment token or an admin, never from the
/// node. `spec` is what the node says about itself; its `labels` are shown as
/// `reportedLabels` and never used for targeting (an admin may adopt them).
/// `spec.region` and `spec.zone` are the node's claim at enrollment (within the
/// token's region, when it names one); after that only an admin changes them.
public struct NodeRecord: Sendable, Hashable, Codable {
    public var id: NodeID
    public var spec: NodeSpec
    /// The environment the node belongs to (one of the configured ones); a deployment targets only its own.
    public var environment: String
    /// Trusted labels, used for targeting and `selector=` filters.
    public var labels: [String: String]
    public var admission: AdmissionState
    public var isEnabled: Bool
    public var registeredAt: Double
    public var updatedAt: Double
    /// The last heartbeat that reached the database (the cache may know a newer one).
    public var lastHeartbeatAt: Double?
    public var lastHeartbeat: Heartbeat?
    /// The health last recorded by the health monitor.
    public var recordedHealth: NodeHealth
    public var healthChangedAt: Double?

    public init(
        id: NodeID, spec: NodeSpec, admission: AdmissionState, isEnabled: Bool, registeredAt: Double, updatedAt: Double,
        lastHeartbeatAt: Double?, lastHeartbeat: Heartbeat?, recordedHealth: NodeHealth, healthChangedAt: Double?,
        environment: String, labels: [String: String]
    ) {
        self.id = id
        self.spec = spec
        self.environment = environment
        self.labels = labels
        self.admission = admission
        self.isEnabled = isEnabled
        self.registeredAt = registeredAt
        self.updatedAt = updatedAt
        self.lastHeartbeatAt = lastHeartbeatAt
        self.lastHeartbeat = lastHeartbeat
        self.recordedHealth = recordedHealth
        self.healthChangedAt = healthChangedAt
    }

    /// May receive new deployments: accepted and enabled.
    public var isSchedulable: Bool { admission == .accepted && isEnabled }

    /// Labels the node reports for itself (registration body); informational only.
    public var reportedLabels: [String: String] { spec.labels }
}

/// Filters and paging for listing nodes, in id order.
public struct NodeQuery: Sendable, Hashable {
    public var environment: String?
    public var region: String?
    public var zone: String?
    /// Every pair must match the node's trusted labels (`key=value` selector terms, ANDed).
    public var labels: [String: String]
    public var admission: AdmissionState?
    public var isEnabled: Bool?
    /// Health as last recorded by the health monitor.
    public var health: NodeHealth?
    public var afterID: String?
    public var limit: Int

    public init(
        region: String? = nil, zone: String? = nil, labels: [String: String] = [:], admission: AdmissionState? = nil,
        isEnabled: Bool? = nil, health: NodeHealth? = nil, afterID: String? = nil, limit: Int = 50, environment: String? = nil
    ) {
        self.environment = environment
        self.health = health
        self.region = region
        self.zone = zone
        self.labels = labels
        self.admission = admission
        self.isEnabled = isEnabled
        self.afterID = afterID
        self.limit = limit
    }
}

/// Parses `key=value,key2=value2` label selectors (equality only).
public enum LabelSelector {
    public static func parse(_ text: String) -> [String: String]? {
        var result: [String: String] = [:]
        for term in text.split(separator: ",") {
            let parts = term.split(separator: "=", maxSplits: 1).map {
                String($0.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
            }
            guard parts.count == 2, NodeSpecRules.isLabelKey(parts[0]), NodeSpecRules.isLabelValue(parts[1]) else { return nil }
            result[parts[0]] = parts[1]
        }
        return result.count <= NodeSpecRules.maxLabels ? result : nil
    }
}
