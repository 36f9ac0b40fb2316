/// Orders a rolling or canary rollout by topology (`"waves": "region"` or `"zone"`): the targets are
/// grouped by the key, the groups (waves) roll out one after the other, and the strategy's cohorts are
/// cut inside each wave, so a cohort never mixes two waves and a failing version stops in the first
/// wave that gets it.
public struct RolloutWaves: Sendable, Hashable, Codable {
    public var key: WaveKey
    /// Waves to roll out first, in this order; the other waves follow in name order.
    /// A name no target node has is ignored (the plan preview warns about it).
    public var order: [String]

    public init(key: WaveKey, order: [String] = []) {
        self.key = key
        self.order = order
    }

    public static let maxOrder = 100

    /// The wave names in rollout order: those of ``order`` first, as listed, then the rest by name
    /// (byte order: `eu-west` before `us-east`, digits before letters, `Z` before `a`).
    public func ordered(_ names: Set<String>) -> [String] {
        let listed = order.filter(names.contains)
        return listed + names.subtracting(listed).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The first problem with `waves`, naming the field; `nil` when valid.
    static func problem(_ waves: RolloutWaves) -> String? {
        if waves.order.count > maxOrder { return "'strategy.waveOrder' lists at most \(maxOrder) names" }
        if let bad = waves.order.first(where: { !NodeSpecRules.isToken($0, max: 64) }) {
            return "'strategy.waveOrder' has an invalid \(waves.key.rawValue) '\(bad.prefix(64))'"
        }
        if Set(waves.order).count != waves.order.count { return "'strategy.waveOrder' names a \(waves.key.rawValue) twice" }
        return nil
    }
}

/// What a wave groups the target nodes by.
public enum WaveKey: String, Sendable, Hashable, Codable, CaseIterable {
    case region
    case zone

    /// The node's wave: its region or zone as registered (an admin may change them).
    public func wave(of node: NodeRecord) -> String {
        switch self {
        case .region: node.spec.region
        case .zone: node.spec.zone
        }
    }
}
