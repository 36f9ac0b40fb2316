/// The names of environments: nodes and deployments each belong to exactly one.
public enum EnvironmentRules {
    /// Where a node goes when its enrollment token names no environment (and where existing nodes were migrated).
    public static let defaultEnvironment = "production"

    /// Why `name` is not an environment the server is configured with; `nil` when it is.
    public static func problem(_ name: String, field: String, configured: Set<String>) -> String? {
        guard !configured.contains(name) else { return nil }
        let shown = NodeSpecRules.isToken(name, max: 64) ? "'\(name)'" : "the given value"
        return "'\(field)' must be one of the configured environments (\(configured.sorted().joined(separator: ", "))); \(shown) is not"
    }
}

/// An admin's change to a node (`PUT /nodes/{id}`): every field is optional,
/// absent fields stay as they are. These are the only ways the trusted
/// placement (environment, region, zone, labels) changes after enrollment.
public struct NodeUpdate: Sendable, Hashable {
    public var isEnabled: Bool?
    /// Replaces the trusted labels.
    public var labels: [String: String]?
    /// Copies the node's reported labels into its trusted labels (after `labels`, merged over them).
    public var adoptReportedLabels: Bool
    public var environment: String?
    public var region: String?
    public var zone: String?

    public init(
        isEnabled: Bool? = nil, labels: [String: String]? = nil, adoptReportedLabels: Bool = false, environment: String? = nil,
        region: String? = nil, zone: String? = nil
    ) {
        self.isEnabled = isEnabled
        self.labels = labels
        self.adoptReportedLabels = adoptReportedLabels
        self.environment = environment
        self.region = region
        self.zone = zone
    }

    public var isEmpty: Bool {
        isEnabled == nil && labels == nil && !adoptReportedLabels && environment == nil && region == nil && zone == nil
    }

    /// `node` with the change applied.
    public func applied(to node: NodeRecord) -> NodeRecord {
        var node = node
        if let isEnabled { node.isEnabled = isEnabled }
        if let labels { node.labels = labels }
        if adoptReportedLabels { node.labels.merge(node.spec.labels) { _, reported in reported } }
        if let environment { node.environment = environment }
        if let region { node.spec.region = region }
        if let zone { node.spec.zone = zone }
        return node
    }

    /// The first problem with the change for `node`, in words a user can act on; `nil` when valid.
    public func problem(for node: NodeRecord, environments: Set<String>) -> String? {
        if let environment, let problem = EnvironmentRules.problem(environment, field: "environment", configured: environments) { return problem }
        let result = applied(to: node)
        if !NodeSpecRules.isToken(result.spec.region, max: 64) { return "'region' must be 1–64 letters, digits, '.', '_' or '-'" }
        if !NodeSpecRules.isToken(result.spec.zone, max: 64) { return "'zone' must be 1–64 letters, digits, '.', '_' or '-'" }
        if result.labels.count > NodeSpecRules.maxLabels
            || !result.labels.allSatisfy({ NodeSpecRules.isLabelKey($0.key) && NodeSpecRules.isLabelValue($0.value) })
        {
            return "'labels' must be at most \(NodeSpecRules.maxLabels) valid key/value pairs"
        }
        return nil
    }
}
