/// A node's desired state as a pure function of the releases that select it and the rollouts in progress.
///
/// The rules (`docs/deployments.md`, "Releases and convergence"), for a node that is accepted and enabled:
/// 1. For each module, the node follows the release ``ReleaseConflictRule/winner(for:module:among:)`` picks.
/// 2. It runs that release's rollout module if the rollout's deployment dispatched it (and did not roll it
///    back), otherwise the release's `stable` module; neither means the module is absent.
/// 3. A module no release selects the node for is removed if its entry came from a release (the node left
///    the selector, or the release was retired), and kept if it predates releases (`releaseID == nil`).
///
/// A node that is pending, rejected or disabled is held: its desired state stays as it is.
public enum DesiredStateDerivation {
    /// What the derivation reads about one node.
    public struct Input: Sendable {
        public var node: NodeRecord
        /// The node's stored entries.
        public var current: [DesiredModule]
        /// Deployments that dispatched this node and have not reverted it, with the node's retry count.
        public var dispatchedBy: [String: Int]

        public init(node: NodeRecord, current: [DesiredModule], dispatchedBy: [String: Int] = [:]) {
            self.node = node
            self.current = current
            self.dispatchedBy = dispatchedBy
        }
    }

    /// The node's desired modules in name order. `releases` may hold any releases (retired ones and
    /// other environments are ignored).
    public static func desired(_ input: Input, releases: [ReleaseRecord]) -> [DesiredModule] {
        guard input.node.isSchedulable else { return input.current.sorted { $0.name < $1.name } }
        var names = Set(input.current.map(\.name))
        for release in releases where release.selects(input.node) { names.insert(release.moduleName) }
        let current = Dictionary(input.current.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return names.sorted().compactMap { name in
            guard let release = ReleaseConflictRule.winner(for: input.node, module: name, among: releases) else {
                // No release selects the node for this module: remove what a release put here, keep what predates releases.
                return current[name].flatMap { $0.releaseID == nil ? $0 : nil }
            }
            return module(of: release, for: input)
        }
    }

    /// The module `release` gives the node in `input`, with the release, deployment and attempt it came from.
    /// A retry of a completed deployment's node is written on the node's entry; the attempt stays while the entry
    /// still names the same deployment and digest.
    static func module(of release: ReleaseRecord, for input: Input) -> DesiredModule? {
        if let rollout = release.rollout, let attempt = input.dispatchedBy[rollout.deploymentID] {
            return rollout.module.map { tagged($0, release: release.id, deployment: rollout.deploymentID, attempt: attempt) }
        }
        return release.stable.map { stable in
            let stored = input.current.first { $0.name == stable.name && $0.digest == stable.digest && $0.deploymentID == release.stableDeploymentID }
            return tagged(stable, release: release.id, deployment: release.stableDeploymentID, attempt: stored?.attempt ?? 0)
        }
    }

    private static func tagged(_ module: DesiredModule, release: String, deployment: String?, attempt: Int) -> DesiredModule {
        var module = module
        module.releaseID = release
        module.deploymentID = deployment ?? module.deploymentID
        module.attempt = attempt > 0 ? attempt : nil
        return module
    }
}
