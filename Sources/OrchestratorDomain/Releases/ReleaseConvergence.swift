/// Where a release's nodes are, for `GET /releases/{id}`: every node that follows the release (it wins
/// the conflict rule there) and is accepted and enabled, by what it reported for the module it should run.
public struct ReleaseConvergence: Sendable, Hashable, Codable {
    /// Reported `running` with the digest its desired state names.
    public var converged: Int = 0
    /// Online, and not yet reporting the desired digest as running or failed.
    public var pending: Int = 0
    /// Reported `failed` for the desired digest.
    public var failed: Int = 0
    /// Offline and not converged: it converges when it returns.
    public var offline: Int = 0
    /// Of all the above: observed state has differed from desired for longer than `nodes.driftAfterSeconds`.
    public var drifted: Int = 0
    public var total: Int = 0

    public init() {}

    /// Counts `nodes` (the release's followers) given each one's expected digest, latest report and whether it is offline.
    public static func of(
        _ nodes: [NodeRecord], expected: (NodeRecord) -> ContentDigest?, report: (NodeRecord) -> ModuleStatusReport?,
        isOffline: (NodeRecord) -> Bool, isDrifted: (NodeRecord) -> Bool = { _ in false }
    ) -> ReleaseConvergence {
        var counts = ReleaseConvergence()
        for node in nodes {
            counts.total += 1
            if isDrifted(node) { counts.drifted += 1 }
            let wanted = expected(node)
            let latest = report(node)
            if let wanted, let latest, latest.digest == wanted, latest.state == .running {
                counts.converged += 1
            } else if let wanted, let latest, latest.digest == wanted, latest.state == .failed {
                counts.failed += 1
            } else if wanted == nil {
                counts.converged += 1  // a retirement reached: nothing to run
            } else if isOffline(node) {
                counts.offline += 1
            } else {
                counts.pending += 1
            }
        }
        return counts
    }
}
