import OrchestratorDomain
import OrchestratorPorts
import SQLiteNIO

extension SQLiteMetadataStore {
    public func createDeployment(_ record: DeploymentRecord, nodes: [DeploymentNode], audit: AuditEvent) async throws {
        let json = try NodeCoding.encode(record)
        let rows = try nodes.map { ($0, try NodeCoding.encode($0)) }
        try await transaction { connection in
            _ = try await connection.query(
                """
                INSERT INTO deployments (id, module_name, environment, state, created_by, created_at, updated_at, revision, record_json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(record.id), .text(record.spec.moduleName), .text(record.spec.environment), .text(record.state.rawValue),
                 .text(record.createdBy), .float(record.createdAt), .float(record.updatedAt), .integer(record.revision), .text(json)])
            try await Self.upsertNodes(rows, deployment: record.id, on: connection)
            try await Self.insertAudit(audit, on: connection)
        }
    }

    public func deployment(id: String) async throws -> DeploymentRecord? {
        try await run("SELECT record_json FROM deployments WHERE id = ?", [.text(id)])
            .first.flatMap { NodeCoding.decode(DeploymentRecord.self, $0.column("record_json")?.string) }
    }

    public func deployments(_ query: DeploymentQuery) async throws -> Page<DeploymentRecord, Int64> {
        let rows = try await run(
            """
            SELECT rowid, record_json FROM deployments
            WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR module_name = ?2) AND (?3 IS NULL OR environment = ?3)
              AND (?4 IS NULL OR created_by = ?4) AND (?5 IS NULL OR rowid < ?5)
            ORDER BY rowid DESC LIMIT ?6
            """,
            [Self.optional(query.state?.rawValue), Self.optional(query.moduleName), Self.optional(query.environment),
             Self.optional(query.createdBy), query.beforePosition.map { .integer(Int($0)) } ?? .null, .integer(query.limit + 1)])
        let items = rows.compactMap { row -> (Int64, DeploymentRecord)? in
            guard let position = row.column("rowid")?.integer,
                  let record = NodeCoding.decode(DeploymentRecord.self, row.column("record_json")?.string) else { return nil }
            return (Int64(position), record)
        }
        let page = Array(items.prefix(query.limit))
        return Page(items: page.map(\.1), next: items.count > query.limit ? page.last?.0 : nil)
    }

    public func activeDeployments() async throws -> [DeploymentRecord] {
        try await run(
            "SELECT record_json FROM deployments WHERE state IN (?, ?) ORDER BY created_at",
            [.text(DeploymentState.inProgress.rawValue), .text(DeploymentState.paused.rawValue)]
        ).compactMap { NodeCoding.decode(DeploymentRecord.self, $0.column("record_json")?.string) }
    }

    public func deploymentNodes(of id: String) async throws -> [DeploymentNode] {
        try await run("SELECT node_json FROM deployment_nodes WHERE deployment_id = ? ORDER BY node_id", [.text(id)])
            .compactMap { NodeCoding.decode(DeploymentNode.self, $0.column("node_json")?.string) }
    }

    public func deploymentNodes(of id: String, nodes: [NodeID]) async throws -> [NodeID: DeploymentNode] {
        let rows = try await run(
            "SELECT node_json FROM deployment_nodes WHERE deployment_id = ? AND node_id IN (SELECT value FROM json_each(?))",
            [.text(id), .text(try NodeCoding.encode(nodes.map(\.value)))])
        let decoded = rows.compactMap { NodeCoding.decode(DeploymentNode.self, $0.column("node_json")?.string) }
        return Dictionary(decoded.map { ($0.nodeID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func statusReports(forDeployment id: String) async throws -> [NodeID: RecordedModuleStatus] {
        let rows = try await run("SELECT node_id, report_json, reported_at FROM node_module_status WHERE deployment_id = ?", [.text(id)])
        var reports: [NodeID: RecordedModuleStatus] = [:]
        for row in rows {
            guard let node = row.column("node_id")?.string.flatMap(NodeID.init),
                  let report = NodeCoding.decode(ModuleStatusReport.self, row.column("report_json")?.string) else { continue }
            reports[node] = RecordedModuleStatus(report: report, reportedAt: row.column("reported_at")?.double ?? 0)
        }
        return reports
    }

    public func desiredEntries(module: String, nodes: [NodeID]) async throws -> [NodeID: DesiredModule] {
        let rows = try await run(
            "SELECT node_id, module_json FROM node_desired_modules WHERE name = ? AND node_id IN (SELECT value FROM json_each(?))",
            [.text(module), .text(try NodeCoding.encode(nodes.map(\.value)))])
        var entries: [NodeID: DesiredModule] = [:]
        for row in rows {
            guard let node = row.column("node_id")?.string.flatMap(NodeID.init),
                  let module = NodeCoding.decode(DesiredModule.self, row.column("module_json")?.string) else { continue }
            entries[node] = module
        }
        return entries
    }

    public func desiredModules(of ids: [NodeID]) async throws -> [NodeID: [DesiredModule]] {
        let rows = try await run(
            "SELECT node_id, module_json FROM node_desired_modules WHERE node_id IN (SELECT value FROM json_each(?)) ORDER BY node_id, name",
            [.text(try NodeCoding.encode(ids.map(\.value)))])
        var result: [NodeID: [DesiredModule]] = [:]
        for row in rows {
            guard let node = row.column("node_id")?.string.flatMap(NodeID.init),
                  let module = NodeCoding.decode(DesiredModule.self, row.column("module_json")?.string) else { continue }
            result[node, default: []].append(module)
        }
        return result
    }

    public func commit(_ commit: DeploymentCommit) async throws -> Bool {
        let record = commit.record
        let json = try NodeCoding.encode(record)
        let rows = try commit.nodes.map { ($0, try NodeCoding.encode($0)) }
        let desired = try commit.desired.map { ($0.key, try $0.value.module.map { ($0, try NodeCoding.encode($0)) }) }
        let revertOnly = commit.revertOnly
        do {
        return try await transaction { connection in
            let updated = try await connection.query(
                """
                UPDATE deployments SET state = ?, updated_at = ?, revision = ?, record_json = ?
                WHERE id = ? AND revision = ? RETURNING id
                """,
                [.text(record.state.rawValue), .float(record.updatedAt), .integer(record.revision), .text(json),
                 .text(record.id), .integer(commit.expectedRevision)])
            guard !updated.isEmpty else { return false }
            try await Self.upsertNodes(rows, deployment: record.id, on: connection)
            for (node, module) in desired {
                let owner = SQLiteData.text(record.id)
                if let (module, moduleJSON) = module, revertOnly {
                    _ = try await connection.query(
                        "UPDATE node_desired_modules SET digest = ?3, module_json = ?4, deployment_id = ?5 WHERE node_id = ?1 AND name = ?2 AND deployment_id = ?6",
                        [.text(node.value), .text(record.spec.moduleName), .text(module.digest.description), .text(moduleJSON),
                         Self.optional(module.deploymentID), owner])
                } else if let (module, moduleJSON) = module {
                    _ = try await connection.query(
                        """
                        INSERT INTO node_desired_modules (node_id, name, digest, module_json, deployment_id)
                        SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM nodes WHERE id = ?1)
                        ON CONFLICT (node_id, name) DO UPDATE SET digest = ?3, module_json = ?4, deployment_id = ?5
                        """,
                        [.text(node.value), .text(record.spec.moduleName), .text(module.digest.description), .text(moduleJSON),
                         Self.optional(module.deploymentID)])
                } else {
                    _ = try await connection.query(
                        "DELETE FROM node_desired_modules WHERE node_id = ?1 AND name = ?2 AND (?3 = 0 OR deployment_id = ?4)",
                        [.text(node.value), .text(record.spec.moduleName), .integer(revertOnly ? 1 : 0), owner])
                }
            }
            for event in commit.audit { try await Self.insertAudit(event, on: connection) }
            return true
        }
        } catch let error as SQLiteError where "\(error)".contains("UNIQUE constraint failed: deployments.module_name") {
            throw ActiveDeploymentConflict(module: record.spec.moduleName)
        }
    }

    static func upsertNodes(_ rows: [(DeploymentNode, String)], deployment: String, on connection: SQLiteConnection) async throws {
        for (node, json) in rows {
            _ = try await connection.query(
                """
                INSERT INTO deployment_nodes (deployment_id, node_id, step, state, node_json) VALUES (?1, ?2, ?3, ?4, ?5)
                ON CONFLICT (deployment_id, node_id) DO UPDATE SET step = ?3, state = ?4, node_json = ?5
                """,
                [.text(deployment), .text(node.nodeID.value), .integer(node.step), .text(node.state.rawValue), .text(json)])
        }
    }

    // MARK: Leadership

    /// One process owns an SQLite file, so it is always the leader.
    public func whileLeader(
        _ name: String, _ body: @escaping @Sendable (_ stillLeader: @escaping @Sendable () async throws -> Void) async throws -> Void
    ) async throws -> Bool {
        try await body({})
        return true
    }
}
