/// What creating a deployment would do, computed by the same resolution as creation but stored nowhere:
/// the answer of `POST /api/v1/wasm/deployments?dryRun=true`.
public struct DeploymentPlan: Sendable, Hashable {
    public var spec: DeploymentSpec
    /// The version as uploaded (with any build metadata) and its digest.
    public var version: String
    public var digest: ContentDigest
    /// Every target node, in id order.
    public var targets: [NodeID]
    /// The waves in rollout order with their cohorts; their concatenation is the deployment's cohorts.
    public var waves: [RolloutWave]
    /// The approvals the environment requires before the rollout may start.
    public var policy: EnvironmentPolicy
    public var warnings: [PlanWarning]

    public init(
        spec: DeploymentSpec, version: String, digest: ContentDigest, targets: [NodeID], waves: [RolloutWave], policy: EnvironmentPolicy,
        warnings: [PlanWarning]
    ) {
        self.spec = spec
        self.version = version
        self.digest = digest
        self.targets = targets
        self.waves = waves
        self.policy = policy
        self.warnings = warnings
    }
}

/// Something the plan's author should know before creating it; never a refusal (those are the creation's 4xx).
public struct PlanWarning: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Offline now: dispatched and not waited for (`offlineNodes: skip`; it converges when it returns),
        /// or dispatched and timed out unless it reports.
        case offline
        /// Disabled: skipped when its cohort starts.
        case disabled
        /// Pending or rejected: skipped when its cohort starts.
        case notAdmitted
        /// A `waveOrder` name that no target node has.
        case unknownWave
    }

    public var kind: Kind
    public var nodeID: NodeID?
    public var message: String

    public init(kind: Kind, nodeID: NodeID?, message: String) {
        self.kind = kind
        self.nodeID = nodeID
        self.message = message
    }

    /// The warnings for `targets` as they are now (`offline`: those confirmed offline), in target order, then the unknown waves.
    /// A node gets one warning, the reason the rollout would skip it first (the decider's order: admission, enabled, offline).
    public static func warnings(targets: [NodeRecord], offline: Set<NodeID>, spec: DeploymentSpec) -> [PlanWarning] {
        var warnings: [PlanWarning] = targets.compactMap { node in
            if node.admission != .accepted {
                return PlanWarning(
                    kind: .notAdmitted, nodeID: node.id, message: "not admitted (\(node.admission.rawValue)): skipped when its cohort starts")
            }
            if !node.isEnabled { return PlanWarning(kind: .disabled, nodeID: node.id, message: "disabled: skipped when its cohort starts") }
            guard offline.contains(node.id) else { return nil }
            let outcome =
                spec.target.offlineNodes == .skip
                ? "dispatched, not waited for; it converges when it returns" : "dispatched anyway; times out (a failure) unless it reports in time"
            return PlanWarning(kind: .offline, nodeID: node.id, message: "offline: \(outcome)")
        }
        if let waves = spec.strategy.waves {
            let present = Set(targets.map(waves.key.wave(of:)))
            for name in waves.order where !present.contains(name) {
                warnings.append(PlanWarning(kind: .unknownWave, nodeID: nil, message: "no target node is in \(waves.key.rawValue) '\(name)'"))
            }
        }
        return warnings
    }
}
