/// One wave of a rollout: the target nodes sharing a region or zone, split into the strategy's cohorts.
public struct RolloutWave: Sendable, Hashable {
    /// The region or zone; `nil` when the strategy has no waves (one wave of every target).
    public var key: String?
    /// Cohorts in rollout order, never empty.
    public var cohorts: [[NodeID]]

    public init(key: String?, cohorts: [[NodeID]]) {
        self.key = key
        self.cohorts = cohorts
    }
}

extension RolloutPlan {
    /// The text the node order hashes with: the environment and the module version, so the plan is a
    /// function of the request alone (a preview shows exactly the cohorts creation makes), and a new
    /// version does not always start on the same canaries.
    public static func seed(for spec: DeploymentSpec) -> String {
        "\(spec.environment)/\(spec.moduleName)@\(spec.moduleVersion)"
    }

    /// The rollout's waves in order, each with its cohorts.
    ///
    /// Without `waves` in the strategy: one wave (key `nil`) holding ``cohorts(_:deploymentID:strategy:)``.
    /// With waves: the nodes are grouped by the wave key, the groups ordered by ``RolloutWaves/ordered(_:)``,
    /// and each group split on its own by the strategy with the same stable hashing: a rolling batch
    /// (count, or percentage of the wave) and canary percentages (of the wave) apply within each wave.
    /// Waves are never empty; no nodes gives no waves.
    public static func waves(_ nodes: [NodeRecord], seed: String, strategy: RolloutStrategy) -> [RolloutWave] {
        guard let waves = strategy.waves else {
            let cohorts = cohorts(nodes.map(\.id), deploymentID: seed, strategy: strategy)
            return cohorts.isEmpty ? [] : [RolloutWave(key: nil, cohorts: cohorts)]
        }
        let groups = Dictionary(grouping: nodes) { waves.key.wave(of: $0) }
        return waves.ordered(Set(groups.keys)).map { name in
            RolloutWave(key: name, cohorts: cohorts(groups[name, default: []].map(\.id), deploymentID: seed, strategy: strategy))
        }
    }
}
