/// Splits target nodes into cohorts, deterministically.
///
/// Nodes are ordered by a 64-bit FNV-1a hash of `deploymentID/nodeID`, so the
/// order is stable across restarts and replicas (resumable), differs between
/// deployments (the same nodes are not always the canaries), and needs no
/// randomness or stored shuffle.
public enum RolloutPlan {
    /// Cohorts in rollout order; never empty cohorts. Empty when there are no nodes.
    ///
    /// Knows no topology, so it ignores the strategy's `waves`: ``waves(_:seed:strategy:)`` cuts these cohorts inside each wave.
    public static func cohorts(_ nodes: [NodeID], deploymentID: String, strategy: RolloutStrategy) -> [[NodeID]] {
        let ordered = order(nodes, deploymentID: deploymentID)
        let total = ordered.count
        guard total > 0 else { return [] }
        var bounds: [Int]
        switch strategy {
        case .allAtOnce:
            bounds = [total]
        case .rolling(let batch, _, _):
            let size: Int
            switch batch {
            case .count(let n): size = max(1, n)
            case .percent(let p): size = max(1, ceilDiv(total * p, 100))
            }
            bounds = Array(stride(from: size, to: total, by: size)) + [total]
        case .canary(let steps, _, _):
            bounds = steps.map { min(total, max(1, ceilDiv(total * $0, 100))) } + [total]
        }
        var cohorts: [[NodeID]] = []
        var start = 0
        for bound in bounds where bound > start {
            cohorts.append(Array(ordered[start..<bound]))
            start = bound
        }
        return cohorts
    }

    public static func order(_ nodes: [NodeID], deploymentID: String) -> [NodeID] {
        let keyed = Set(nodes).map { (key: fnv1a("\(deploymentID)/\($0.value)"), node: $0) }
        return keyed.sorted { $0.key != $1.key ? $0.key < $1.key : $0.node.value < $1.node.value }.map(\.node)
    }

    /// 64-bit FNV-1a: tiny, pure and stable across platforms and releases (unlike `Hasher`).
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    private static func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
}
