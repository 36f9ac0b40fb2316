/// Which release a node follows when several releases of the same module select it, and which
/// overlaps a new deployment may not create.
///
/// - **Deriving** always settles: the higher `priority` wins; at equal priority the newer release
///   (later `createdAt`), then the greater id. A node's view names the release it follows.
/// - **Creating** is stricter: a deployment that would make a release overlap another active release
///   of the same module, in the same environment, at the **same** priority, on at least one current
///   node, is refused (409, naming both): "the newer wins" would decide silently which version those
///   nodes run. Give one of them a higher priority, or change the existing release instead.
public enum ReleaseConflictRule {
    /// `true` when `a` takes precedence over `b`.
    public static func precedes(_ a: ReleaseRecord, _ b: ReleaseRecord) -> Bool {
        if a.priority != b.priority { return a.priority > b.priority }
        if a.createdAt != b.createdAt { return a.createdAt > b.createdAt }
        return a.id > b.id
    }

    /// The release `node` follows for `module` among `releases`, or `nil` when none selects it.
    public static func winner(for node: NodeRecord, module: String, among releases: [ReleaseRecord]) -> ReleaseRecord? {
        releases.filter { $0.moduleName == module && $0.selects(node) }.max { precedes($1, $0) }
    }

    /// The active releases that `candidate` would overlap at equal priority on one of `fleet`'s nodes,
    /// each with the nodes both select (at most a few named, for the refusal).
    public static func unsettled(
        _ candidate: ReleaseRecord, against releases: [ReleaseRecord], fleet: [NodeRecord]
    ) -> [(release: ReleaseRecord, nodes: [NodeID])] {
        releases.compactMap { other in
            guard other.id != candidate.id, other.state == .active, other.moduleName == candidate.moduleName,
                other.environment == candidate.environment, other.priority == candidate.priority
            else { return nil }
            let shared = fleet.filter { candidate.selects($0) && other.selects($0) }.map(\.id)
            return shared.isEmpty ? nil : (other, shared)
        }
    }
}
