import OrchestratorDomain
import OrchestratorPorts

/// Releases (`0010_releases.sql`), and the derivation's compare-and-set write of a node's desired modules.
extension SQLStore {
    public func release(id: String) async throws -> ReleaseRecord? {
        try await releases(query("SELECT id, record_json FROM releases WHERE id = $1", [.text(id)])).first
    }

    public func releases(_ query: ReleaseQuery) async throws -> Page<ReleaseRecord, Int64> {
        let position = dialect.deploymentPosition
        let rows = try await self.query(
            """
            SELECT \(position) AS position, id, record_json FROM releases
            WHERE ($1 IS NULL OR state = $1) AND ($2 IS NULL OR module_name = $2) AND ($3 IS NULL OR environment = $3)
              AND ($4 IS NULL OR \(position) < $4)
            ORDER BY \(position) DESC LIMIT $5
            """,
            [
                .text(query.state?.rawValue), .text(query.moduleName), .text(query.environment), .integer(query.beforePosition.map(Int.init)),
                .integer(query.limit + 1),
            ])
        let positions = try decode(rows, table: "releases", key: ["id"]) { Int64(try $0.int("position")) }
        return page(Array(zip(positions, try releases(rows))), limit: query.limit)
    }

    public func activeReleases() async throws -> [ReleaseRecord] {
        try await releases(
            query(
                "SELECT id, record_json FROM releases WHERE state = $1 ORDER BY \(dialect.deploymentPosition)",
                [.text(ReleaseState.active.rawValue)]))
    }

    public func replaceDesiredModules(_ modules: [DesiredModule], for id: NodeID, expected: [DesiredModule]) async throws -> Bool {
        let rows = try modules.map { [SQLValue.text($0.name)] + (try Self.desiredCells($0)) }
        let node = SQLValue.text(id.value)
        return try await transaction { [dialect] session in
            // The node row is the lock: a concurrent derivation for the same node waits here, then sees this one's write.
            guard try await !session.query("SELECT id FROM nodes WHERE id = $1\(dialect.forUpdate)", [node]).isEmpty else { return false }
            let stored = try await session.query("\(Self.desiredSelect) WHERE node_id = $1", [node])
            let current = try self.desired(stored).map(\.1).sorted { $0.name < $1.name }
            guard current == expected.sorted(by: { $0.name < $1.name }) else { return false }
            try await session.query("DELETE FROM node_desired_modules WHERE node_id = $1", [node])
            try await session.bulk(
                """
                INSERT INTO node_desired_modules (node_id, name, digest, module_json, deployment_id)
                SELECT $1, u.name, u.digest, u.module_json, NULLIF(u.owner, '') FROM \(SQLBulk.source) WHERE TRUE
                """,
                [node], columns: ["name", "digest", "module_json", "owner"], rows: rows)
            return true
        }
    }

    /// Writes `release` in `session`: an insert for a new release (revision 1), otherwise an update that applies
    /// only if the stored revision is the previous one. `false` when another writer changed it first.
    static func writeRelease(_ release: ReleaseRecord, on session: any SQLSession) async throws -> Bool {
        let json = try NodeCoding.encode(release)
        if release.revision == 1 {
            let inserted = try await session.query(
                """
                INSERT INTO releases (id, environment, module_name, state, priority, revision, record_json)
                VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING id
                """,
                [
                    .text(release.id), .text(release.environment), .text(release.moduleName), .text(release.state.rawValue),
                    .integer(release.priority), .integer(release.revision), .text(json),
                ])
            return !inserted.isEmpty
        }
        let updated = try await session.query(
            "UPDATE releases SET state = $1, priority = $2, revision = $3, record_json = $4 WHERE id = $5 AND revision = $6 RETURNING id",
            [
                .text(release.state.rawValue), .integer(release.priority), .integer(release.revision), .text(json), .text(release.id),
                .integer(release.revision - 1),
            ])
        return !updated.isEmpty
    }

    func releases(_ rows: [SQLRow]) throws -> [ReleaseRecord] {
        try decode(rows, table: "releases", key: ["id"]) { try $0.json(ReleaseRecord.self, "record_json") }
    }
}

/// A release changed under a deployment's commit: the whole commit is abandoned (and reported as a lost race).
struct ReleaseRaceLost: Error {}
