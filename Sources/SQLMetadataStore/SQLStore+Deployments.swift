import OrchestratorDomain
import OrchestratorPorts

/// Deployments. Cohorts of thousands of nodes are written with ``SQLSession/bulk(_:_:columns:rows:)``.
extension SQLStore {
    public func createDeployment(_ record: DeploymentRecord, nodes: [DeploymentNode], audit: AuditEvent) async throws {
        let json = try NodeCoding.encode(record)
        let rows = try Self.nodeRows(nodes)
        try await activeConflict(module: record.spec.moduleName) {
            try await transaction { session in
                try await session.query(
                    """
                    INSERT INTO deployments (id, module_name, environment, state, created_by, created_at, updated_at, revision, record_json)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                    """,
                    [
                        .text(record.id), .text(record.spec.moduleName), .text(record.spec.environment), .text(record.state),
                        .text(record.createdBy), .timestamp(record.createdAt), .timestamp(record.updatedAt), .integer(record.revision), .text(json),
                    ])
                try await Self.upsertNodes(rows, deployment: record.id, on: session)
                try await Self.insertAudit(audit, on: session)
            }
        }
    }

    static var deploymentSelect: String { "SELECT id, record_json FROM deployments" }
    static var targetSelect: String { "SELECT deployment_id, node_id, node_json FROM deployment_nodes WHERE deployment_id = $1" }
    static var desiredSelect: String { "SELECT node_id, name, module_json FROM node_desired_modules" }
    static var statusSelect: String { "SELECT node_id, module, report_json, reported_at FROM node_module_status" }

    public func deployment(id: String) async throws -> DeploymentRecord? {
        try await deployments(query("\(Self.deploymentSelect) WHERE id = $1", [.text(id)])).first
    }

    public func deployments(_ query: DeploymentQuery) async throws -> Page<DeploymentRecord, Int64> {
        let position = dialect.deploymentPosition
        let rows = try await self.query(
            """
            SELECT \(position) AS position, id, record_json FROM deployments
            WHERE ($1 IS NULL OR state = $1) AND ($2 IS NULL OR module_name = $2) AND ($3 IS NULL OR environment = $3)
              AND ($4 IS NULL OR created_by = $4) AND ($5 IS NULL OR \(position) < $5)
            ORDER BY \(position) DESC LIMIT $6
            """,
            [
                .text(query.state?.rawValue), .text(query.moduleName), .text(query.environment), .text(query.createdBy),
                .integer(query.beforePosition.map(Int.init)), .integer(query.limit + 1),
            ])
        let positions = try decode(rows, table: "deployments", key: ["id"]) { Int64(try $0.int("position")) }
        return page(Array(zip(positions, try deployments(rows))), limit: query.limit)
    }

    public func activeDeployments() async throws -> [DeploymentRecord] {
        try await deployments(
            query(
                "\(Self.deploymentSelect) WHERE state IN ($1, $2) ORDER BY \(dialect.deploymentPosition)",
                [.text(DeploymentState.inProgress), .text(DeploymentState.paused)]))
    }

    public func deploymentNodes(of id: String) async throws -> [DeploymentNode] {
        try await targets(query("\(Self.targetSelect) ORDER BY node_id\(dialect.byteOrder)", [.text(id)]))
    }

    public func deploymentNodes(of id: String, nodes: [NodeID]) async throws -> [NodeID: DeploymentNode] {
        let rows = try await query("\(Self.targetSelect) AND node_id \(dialect.isIn("$2"))", [.text(id), .texts(nodes.map(\.value))])
        return Dictionary(try targets(rows).map { ($0.nodeID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func statusReports(forDeployment id: String) async throws -> [NodeID: RecordedModuleStatus] {
        let rows = try await query("\(Self.statusSelect) WHERE deployment_id = $1", [.text(id)])
        return Dictionary(try statuses(rows), uniquingKeysWith: { _, last in last })
    }

    public func desiredEntries(module: String, nodes: [NodeID]) async throws -> [NodeID: DesiredModule] {
        let rows = try await query(
            "\(Self.desiredSelect) WHERE name = $1 AND node_id \(dialect.isIn("$2"))", [.text(module), .texts(nodes.map(\.value))])
        return Dictionary(try desired(rows), uniquingKeysWith: { _, last in last })
    }

    public func desiredModules(of ids: [NodeID]) async throws -> [NodeID: [DesiredModule]] {
        let rows = try await query(
            "\(Self.desiredSelect) WHERE node_id \(dialect.isIn("$1")) ORDER BY node_id, name\(dialect.byteOrder)", [.texts(ids.map(\.value))])
        return try desired(rows).reduce(into: [:]) { result, entry in result[entry.0, default: []].append(entry.1) }
    }

    public func commit(_ commit: DeploymentCommit) async throws -> Bool {
        let record = commit.record
        let json = try NodeCoding.encode(record)
        let rows = try Self.nodeRows(commit.nodes)
        var upserts: [[SQLValue]] = [], removals: [String] = []
        for (node, baseline) in commit.desired.sorted(by: { $0.key.value < $1.key.value }) {
            if let module = baseline.module {
                upserts.append([.text(node.value)] + (try Self.desiredCells(module)))
            } else {
                removals.append(node.value)
            }
        }
        let name = SQLValue.text(record.spec.moduleName), owner = SQLValue.text(record.id), revertOnly = commit.revertOnly
        let release = commit.release
        do {
            return try await activeConflict(module: record.spec.moduleName) {
                try await transaction { [upserts, removals] session in
                    guard
                        try await applyCommit(
                            session, record: record, json: json, expectedRevision: commit.expectedRevision, rows: rows, upserts: upserts,
                            removals: removals, name: name, owner: owner, revertOnly: revertOnly)
                    else { return false }
                    if let release, try await !Self.writeRelease(release, on: session) { throw ReleaseRaceLost() }
                    for event in commit.audit { try await Self.insertAudit(event, on: session) }
                    return true
                }
            }
        } catch is ReleaseRaceLost {
            return false
        }
    }

    /// The deployment row compare-and-set on its revision, its target rows and the desired-state writes. `false`: lost the race.
    private func applyCommit(
        _ session: any SQLSession, record: DeploymentRecord, json: String, expectedRevision: Int, rows: [[SQLValue]], upserts: [[SQLValue]],
        removals: [String], name: SQLValue, owner: SQLValue, revertOnly: Bool
    ) async throws -> Bool {
        let updated = try await session.query(
            """
            UPDATE deployments SET state = $1, updated_at = $2, revision = $3, record_json = $4
            WHERE id = $5 AND revision = $6 RETURNING id
            """,
            [
                .text(record.state), .timestamp(record.updatedAt), .integer(record.revision), .text(json), owner,
                .integer(expectedRevision),
            ])
        guard !updated.isEmpty else { return false }
        try await Self.upsertNodes(rows, deployment: record.id, on: session)
        let columns = ["node_id", "digest", "module_json", "owner"]
        if revertOnly {
            try await session.bulk(
                """
                UPDATE node_desired_modules AS d SET digest = u.digest, module_json = u.module_json, deployment_id = NULLIF(u.owner, '')
                FROM \(SQLBulk.source) WHERE d.node_id = u.node_id AND d.name = $1 AND d.deployment_id = $2
                """,
                [name, owner], columns: columns, rows: upserts)
        } else {
            try await session.bulk(
                """
                INSERT INTO node_desired_modules (node_id, name, digest, module_json, deployment_id)
                SELECT u.node_id, $1, u.digest, u.module_json, NULLIF(u.owner, '') FROM \(SQLBulk.source)
                WHERE EXISTS (SELECT 1 FROM nodes n WHERE n.id = u.node_id)
                ON CONFLICT (node_id, name) DO UPDATE SET digest = EXCLUDED.digest, module_json = EXCLUDED.module_json,
                    deployment_id = EXCLUDED.deployment_id
                """,
                [name], columns: columns, rows: upserts)
        }
        if !removals.isEmpty {
            try await session.query(
                "DELETE FROM node_desired_modules WHERE name = $1 AND node_id \(dialect.isIn("$2")) AND ($3 = 0 OR deployment_id = $4)",
                [name, .texts(removals), .integer(revertOnly ? 1 : 0), owner])
        }
        return true
    }

    // MARK: Rows

    /// The one unique constraint a deployment write can meet is "one active rollout per module".
    private func activeConflict<T>(module: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let violation as SQLUniqueViolation where violation.is("deployments_one_active_per_module") {
            throw ActiveDeploymentConflict(module: module)
        }
    }

    /// A desired module's `digest, module_json, owner` bulk columns (`owner` is `''` for none: bulk arrays hold no NULLs).
    static func desiredCells(_ module: DesiredModule) throws -> [SQLValue] {
        [.text(module.digest.description), .text(try NodeCoding.encode(module)), .text(module.deploymentID ?? "")]
    }

    static func nodeRows(_ nodes: [DeploymentNode]) throws -> [[SQLValue]] {
        try nodes.map { [.text($0.nodeID.value), .integer($0.step), .text($0.state), .text(try NodeCoding.encode($0))] }
    }

    static func upsertNodes(_ rows: [[SQLValue]], deployment: String, on session: any SQLSession) async throws {
        try await session.bulk(
            """
            INSERT INTO deployment_nodes (deployment_id, node_id, step, state, node_json)
            SELECT $1, u.node_id, u.step, u.state, u.node_json FROM \(SQLBulk.source) WHERE TRUE
            ON CONFLICT (deployment_id, node_id) DO UPDATE SET step = EXCLUDED.step, state = EXCLUDED.state, node_json = EXCLUDED.node_json
            """,
            [.text(deployment)], columns: ["node_id", "step", "state", "node_json"], rows: rows)
    }

    func deployments(_ rows: [SQLRow]) throws -> [DeploymentRecord] {
        try decode(rows, table: "deployments", key: ["id"]) { try $0.json(DeploymentRecord.self, "record_json") }
    }

    func targets(_ rows: [SQLRow]) throws -> [DeploymentNode] {
        try decode(rows, table: "deployment_nodes", key: ["deployment_id", "node_id"]) { try $0.json(DeploymentNode.self, "node_json") }
    }

    func desired(_ rows: [SQLRow]) throws -> [(NodeID, DesiredModule)] {
        try decode(rows, table: "node_desired_modules", key: ["node_id", "name"]) {
            (try $0.nodeID("node_id"), try $0.json(DesiredModule.self, "module_json"))
        }
    }

    func statuses(_ rows: [SQLRow]) throws -> [(NodeID, RecordedModuleStatus)] {
        try decode(rows, table: "node_module_status", key: ["node_id", "module"]) {
            (
                try $0.nodeID("node_id"),
                RecordedModuleStatus(report: try $0.json(ModuleStatusReport.self, "report_json"), reportedAt: try $0.timestamp("reported_at"))
            )
        }
    }
}
