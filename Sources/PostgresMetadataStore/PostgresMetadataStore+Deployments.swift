import Logging
import OrchestratorDomain
import OrchestratorPorts
import PostgresNIO

/// Deployments on PostgreSQL. Bulk writes (a cohort of thousands of nodes)
/// go through `unnest` of arrays: one statement per table, not one per node.
extension PostgresMetadataStore {
    public func createDeployment(_ record: DeploymentRecord, nodes: [DeploymentNode], audit: AuditEvent) async throws {
        let json = try NodeCoding.encode(record)
        let rows = try NodeRows(nodes)
        try await transaction { connection, logger in
            try await connection.query(
                """
                INSERT INTO deployments (id, module_name, environment, state, created_by, created_at, updated_at, revision, record_json)
                VALUES (\(record.id), \(record.spec.moduleName), \(record.spec.environment), \(record.state.rawValue), \(record.createdBy),
                        \(record.createdAt), \(record.updatedAt), \(record.revision), \(json))
                """,
                logger: logger)
            try await rows.upsert(deployment: record.id, on: connection, logger: logger)
            try await Self.insertAudit(audit, on: connection, logger: logger)
        }
    }

    public func deployment(id: String) async throws -> DeploymentRecord? {
        try await read { client, logger in
            let rows = try await client.query("SELECT record_json FROM deployments WHERE id = \(id)", logger: logger)
            for try await json in rows.decode(String.self) { return NodeCoding.decode(DeploymentRecord.self, json) }
            return nil
        }
    }

    public func deployments(_ query: DeploymentQuery) async throws -> Page<DeploymentRecord, Int64> {
        try await read { client, logger in
            let rows = try await client.query(
                """
                SELECT seq, record_json FROM deployments
                WHERE (\(query.state?.rawValue)::text IS NULL OR state = \(query.state?.rawValue))
                  AND (\(query.moduleName)::text IS NULL OR module_name = \(query.moduleName))
                  AND (\(query.environment)::text IS NULL OR environment = \(query.environment))
                  AND (\(query.createdBy)::text IS NULL OR created_by = \(query.createdBy))
                  AND (\(query.beforePosition)::int8 IS NULL OR seq < \(query.beforePosition))
                ORDER BY seq DESC LIMIT \(query.limit + 1)
                """,
                logger: logger)
            var items: [(Int64, DeploymentRecord)] = []
            for try await (seq, json) in rows.decode((Int64, String).self) {
                if let record = NodeCoding.decode(DeploymentRecord.self, json) { items.append((seq, record)) }
            }
            let page = Array(items.prefix(query.limit))
            return Page(items: page.map(\.1), next: items.count > query.limit ? page.last?.0 : nil)
        }
    }

    public func activeDeployments() async throws -> [DeploymentRecord] {
        try await read { client, logger in
            let rows = try await client.query(
                "SELECT record_json FROM deployments WHERE state IN ('InProgress', 'Paused') ORDER BY seq", logger: logger)
            var records: [DeploymentRecord] = []
            for try await json in rows.decode(String.self) {
                if let record = NodeCoding.decode(DeploymentRecord.self, json) { records.append(record) }
            }
            return records
        }
    }

    public func deploymentNodes(of id: String) async throws -> [DeploymentNode] {
        try await read { client, logger in
            let rows = try await client.query(
                "SELECT node_json FROM deployment_nodes WHERE deployment_id = \(id) ORDER BY node_id COLLATE \"C\"", logger: logger)
            var nodes: [DeploymentNode] = []
            for try await json in rows.decode(String.self) {
                if let node = NodeCoding.decode(DeploymentNode.self, json) { nodes.append(node) }
            }
            return nodes
        }
    }

    public func deploymentNodes(of id: String, nodes: [NodeID]) async throws -> [NodeID: DeploymentNode] {
        let ids = nodes.map(\.value)
        return try await read { client, logger in
            let rows = try await client.query(
                "SELECT node_json FROM deployment_nodes WHERE deployment_id = \(id) AND node_id = ANY(\(ids)::text[])", logger: logger)
            var result: [NodeID: DeploymentNode] = [:]
            for try await json in rows.decode(String.self) {
                if let node = NodeCoding.decode(DeploymentNode.self, json) { result[node.nodeID] = node }
            }
            return result
        }
    }

    public func statusReports(forDeployment id: String) async throws -> [NodeID: RecordedModuleStatus] {
        try await read { client, logger in
            let rows = try await client.query(
                "SELECT node_id, report_json, reported_at FROM node_module_status WHERE deployment_id = \(id)", logger: logger)
            var reports: [NodeID: RecordedModuleStatus] = [:]
            for try await (node, json, at) in rows.decode((String, String, Double).self) {
                guard let node = NodeID(node), let report = NodeCoding.decode(ModuleStatusReport.self, json) else { continue }
                reports[node] = RecordedModuleStatus(report: report, reportedAt: at)
            }
            return reports
        }
    }

    public func desiredEntries(module: String, nodes: [NodeID]) async throws -> [NodeID: DesiredModule] {
        let ids = nodes.map(\.value)
        return try await read { client, logger in
            let rows = try await client.query(
                "SELECT node_id, module_json FROM node_desired_modules WHERE name = \(module) AND node_id = ANY(\(ids)::text[])",
                logger: logger)
            var entries: [NodeID: DesiredModule] = [:]
            for try await (node, json) in rows.decode((String, String).self) {
                if let node = NodeID(node), let module = NodeCoding.decode(DesiredModule.self, json) { entries[node] = module }
            }
            return entries
        }
    }

    public func desiredModules(of nodes: [NodeID]) async throws -> [NodeID: [DesiredModule]] {
        let ids = nodes.map(\.value)
        return try await read { client, logger in
            let rows = try await client.query(
                """
                SELECT node_id, module_json FROM node_desired_modules WHERE node_id = ANY(\(ids)::text[])
                ORDER BY node_id, name COLLATE "C"
                """,
                logger: logger)
            var result: [NodeID: [DesiredModule]] = [:]
            for try await (node, json) in rows.decode((String, String).self) {
                if let node = NodeID(node), let module = NodeCoding.decode(DesiredModule.self, json) { result[node, default: []].append(module) }
            }
            return result
        }
    }

    public func commit(_ commit: DeploymentCommit) async throws -> Bool {
        let record = commit.record
        let json = try NodeCoding.encode(record)
        let rows = try NodeRows(commit.nodes)
        var upsertIDs: [String] = [], upsertDigests: [String] = [], upsertJSON: [String] = [], upsertOwners: [String] = [], removals: [String] = []
        for (node, baseline) in commit.desired {
            if let module = baseline.module {
                upsertIDs.append(node.value)
                upsertDigests.append(module.digest.description)
                upsertJSON.append(try NodeCoding.encode(module))
                upsertOwners.append(module.deploymentID ?? "")
            } else {
                removals.append(node.value)
            }
        }
        let name = record.spec.moduleName
        let owner = record.id
        let revertOnly = commit.revertOnly
        do {
        return try await transaction { [upsertIDs, upsertDigests, upsertJSON, upsertOwners, removals] connection, logger in
            let updated = try await connection.query(
                """
                UPDATE deployments SET state = \(record.state.rawValue), updated_at = \(record.updatedAt), revision = \(record.revision),
                    record_json = \(json)
                WHERE id = \(record.id) AND revision = \(commit.expectedRevision) RETURNING id
                """,
                logger: logger)
            var changed = false
            for try await _ in updated.decode(String.self) { changed = true }
            guard changed else { return false }
            try await rows.upsert(deployment: record.id, on: connection, logger: logger)
            if !upsertIDs.isEmpty && revertOnly {
                try await connection.query(
                    """
                    UPDATE node_desired_modules d SET digest = u.digest, module_json = u.module_json, deployment_id = NULLIF(u.owner, '')
                    FROM unnest(\(upsertIDs)::text[], \(upsertDigests)::text[], \(upsertJSON)::text[], \(upsertOwners)::text[])
                        AS u(node_id, digest, module_json, owner)
                    WHERE d.node_id = u.node_id AND d.name = \(name) AND d.deployment_id = \(owner)
                    """,
                    logger: logger)
            } else if !upsertIDs.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO node_desired_modules (node_id, name, digest, module_json, deployment_id)
                    SELECT u.node_id, \(name), u.digest, u.module_json, NULLIF(u.owner, '')
                    FROM unnest(\(upsertIDs)::text[], \(upsertDigests)::text[], \(upsertJSON)::text[], \(upsertOwners)::text[])
                        AS u(node_id, digest, module_json, owner)
                    WHERE EXISTS (SELECT 1 FROM nodes n WHERE n.id = u.node_id)
                    ON CONFLICT (node_id, name) DO UPDATE SET digest = EXCLUDED.digest, module_json = EXCLUDED.module_json,
                        deployment_id = EXCLUDED.deployment_id
                    """,
                    logger: logger)
            }
            if !removals.isEmpty {
                try await connection.query(
                    """
                    DELETE FROM node_desired_modules WHERE name = \(name) AND node_id = ANY(\(removals)::text[])
                      AND (NOT \(revertOnly) OR deployment_id = \(owner))
                    """,
                    logger: logger)
            }
            for event in commit.audit { try await Self.insertAudit(event, on: connection, logger: logger) }
            return true
        }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw ActiveDeploymentConflict(module: name)
        }
    }

    // MARK: Leadership

    /// A session-level advisory lock held on one pooled connection for as long
    /// as `body` runs. If that connection dies, PostgreSQL releases the lock
    /// and `stillLeader` (a query on the same connection) throws.
    public func whileLeader(
        _ name: String, _ body: @escaping @Sendable (_ stillLeader: @escaping @Sendable () async throws -> Void) async throws -> Void
    ) async throws -> Bool {
        let logger = self.logger
        let key = "leader:" + name
        do {
            return try await client.withConnection { connection in
                let rows = try await connection.query("SELECT pg_try_advisory_lock(hashtextextended(\(key), 0))", logger: logger)
                var acquired = false
                for try await value in rows.decode(Bool.self) { acquired = value }
                guard acquired else { return false }
                do {
                    try await body {
                        try await connection.query("SELECT 1", logger: logger)
                    }
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(hashtextextended(\(key), 0))", logger: logger)
                    throw error
                }
                _ = try? await connection.query("SELECT pg_advisory_unlock(hashtextextended(\(key), 0))", logger: logger)
                return true
            }
        } catch let error as PSQLError where Self.isTransportFailure(error) {
            throw DependencyUnavailableError(dependency: healthName, reason: String(reflecting: error))
        }
    }
}

/// Target rows as parallel arrays for one `unnest` upsert.
private struct NodeRows: Sendable {
    var ids: [String] = []
    var steps: [Int] = []
    var states: [String] = []
    var json: [String] = []

    init(_ nodes: [DeploymentNode]) throws {
        for node in nodes {
            ids.append(node.nodeID.value)
            steps.append(node.step)
            states.append(node.state.rawValue)
            json.append(try NodeCoding.encode(node))
        }
    }

    func upsert(deployment: String, on connection: PostgresConnection, logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO deployment_nodes (deployment_id, node_id, step, state, node_json)
            SELECT \(deployment), u.node_id, u.step, u.state, u.node_json
            FROM unnest(\(ids)::text[], \(steps)::int8[], \(states)::text[], \(json)::text[]) AS u(node_id, step, state, node_json)
            ON CONFLICT (deployment_id, node_id) DO UPDATE SET step = EXCLUDED.step, state = EXCLUDED.state, node_json = EXCLUDED.node_json
            """,
            logger: logger)
    }
}
