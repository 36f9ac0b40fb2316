/// How a node's observed state (the inventory of its latest heartbeat) differs from its desired state.
///
/// A desired module is in sync when the inventory lists it with the desired digest and state `running`;
/// an inventory module nobody desires is `unexpected` (the agent has not removed it yet). Differences are
/// normal for a while after a change (the agent downloads and starts); a node counts as **drifted** only when
/// they have lasted longer than ``DriftPolicy/afterSeconds`` (see docs/nodes.md, "Observed state and drift").
public struct ModuleDrift: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Desired, and not in the inventory.
        case missing
        /// In the inventory with another digest.
        case otherDigest
        /// The desired digest, but not `running` (e.g. `failed`, `starting`).
        case notRunning
        /// In the inventory, not desired.
        case unexpected
    }

    public var module: String
    public var kind: Kind
    public var desiredDigest: ContentDigest?
    public var observedDigest: ContentDigest?
    public var observedState: ModuleRunState?

    public init(module: String, kind: Kind, desiredDigest: ContentDigest?, observedDigest: ContentDigest?, observedState: ModuleRunState?) {
        self.module = module
        self.kind = kind
        self.desiredDigest = desiredDigest
        self.observedDigest = observedDigest
        self.observedState = observedState
    }

    /// The differences between `desired` and `observed`, in module name order; empty when in sync.
    public static func differences(desired: [DesiredModule], observed: [InventoryItem]) -> [ModuleDrift] {
        let held = Dictionary(observed.map { ($0.module, $0) }, uniquingKeysWith: { first, _ in first })
        let wanted = Set(desired.map(\.name))
        var drift: [ModuleDrift] = desired.compactMap { module in
            guard let item = held[module.name] else {
                return ModuleDrift(module: module.name, kind: .missing, desiredDigest: module.digest, observedDigest: nil, observedState: nil)
            }
            if item.digest != module.digest {
                return ModuleDrift(
                    module: module.name, kind: .otherDigest, desiredDigest: module.digest, observedDigest: item.digest, observedState: item.state)
            }
            guard item.state == .running else {
                return ModuleDrift(
                    module: module.name, kind: .notRunning, desiredDigest: module.digest, observedDigest: item.digest, observedState: item.state)
            }
            return nil
        }
        for item in observed where !wanted.contains(item.module) {
            drift.append(
                ModuleDrift(module: item.module, kind: .unexpected, desiredDigest: nil, observedDigest: item.digest, observedState: item.state))
        }
        return drift.sorted { ($0.module, $0.kind.rawValue) < ($1.module, $1.kind.rawValue) }
    }
}

/// When differences between desired and observed state make a node drifted.
public struct DriftPolicy: Sendable, Hashable {
    /// Differences lasting longer than this make the node drifted (`nodes.driftAfterSeconds`, default 300).
    public var afterSeconds: Double

    public init(afterSeconds: Double = 300) { self.afterSeconds = afterSeconds }

    /// Whether a node whose state has differed since `since` is drifted at `now`.
    public func isDrifted(since: Double?, now: Double) -> Bool {
        guard let since else { return false }
        return now - since > afterSeconds
    }
}
