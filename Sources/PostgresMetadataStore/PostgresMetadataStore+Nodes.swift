import Logging
import OrchestratorDomain
import OrchestratorPorts
import PostgresNIO

/// Edge nodes on PostgreSQL.
extension PostgresMetadataStore {
    static let nodeColumns = """
        id, spec_json, admission, is_enabled, registered_at, updated_at, last_heartbeat_at, heartbeat_json, health, health_changed_at,
        environment, labels_json
        """
    static let tokenColumns = "id, expires_at, max_uses, uses, region, required_labels_json, description, created_by, created_at, environment"

    // MARK: Enrollment tokens

    public func createEnrollmentToken(_ token: EnrollmentTokenRecord, secretHash: String, audit: AuditEvent) async throws {
        let labels = try NodeCoding.encode(token.requiredLabels)
        try await transaction { connection, logger in
            try await connection.query(
                """
                INSERT INTO enrollment_tokens
                    (id, secret_hash, expires_at, max_uses, uses, region, required_labels_json, description, created_by, created_at, environment)
                VALUES (\(token.id), \(secretHash), \(token.expiresAt), \(token.maxUses), 0, \(token.region), \(labels), \(token.description),
                        \(token.createdBy), \(token.createdAt), \(token.environment))
                """,
                logger: logger)
            try await Self.insertAudit(audit, on: connection, logger: logger)
        }
    }

    public func enrollmentTokens(includeExpiredBefore cutoff: Double?) async throws -> [EnrollmentTokenRecord] {
        try await read { client, logger in
            try await Self.tokenRecords(client.query(
                """
                SELECT \(unescaped: Self.tokenColumns) FROM enrollment_tokens
                WHERE (\(cutoff)::float8 IS NULL OR expires_at > \(cutoff)::float8) ORDER BY created_at DESC, id
                """,
                logger: logger))
        }
    }

    public func enrollmentToken(secretHash: String) async throws -> EnrollmentTokenRecord? {
        try await read { client, logger in
            try await Self.tokenRecords(client.query(
                "SELECT \(unescaped: Self.tokenColumns) FROM enrollment_tokens WHERE secret_hash = \(secretHash)", logger: logger)).first
        }
    }

    public func deleteEnrollmentToken(id: String, audit: AuditEvent) async throws -> Bool {
        try await transaction { connection, logger in
            let rows = try await connection.query("DELETE FROM enrollment_tokens WHERE id = \(id) RETURNING id", logger: logger).collect()
            guard !rows.isEmpty else { return false }
            try await Self.insertAudit(audit, on: connection, logger: logger)
            return true
        }
    }

    // MARK: Nodes

    public func enroll(_ enrollment: Enrollment, audit: AuditEvent) async throws -> EnrollmentOutcome {
        let spec = try NodeCoding.encode(enrollment.spec)
        let id = enrollment.nodeID.value
        return try await transaction { connection, logger -> EnrollmentOutcome in
            let tokens = try await Self.tokenRecords(connection.query(
                "SELECT \(unescaped: Self.tokenColumns) FROM enrollment_tokens WHERE secret_hash = \(enrollment.tokenHash) FOR UPDATE",
                logger: logger))
            guard let token = tokens.first else { return .unknownToken }
            if let refusal = EnrollmentRules.refusal(token, spec: enrollment.spec, now: enrollment.at) { return .refused(refusal) }
            let labels = try NodeCoding.encode(token.requiredLabels)
            let inserted = try await Self.nodeRecords(connection.query(
                """
                INSERT INTO nodes (id, spec_json, region, zone, admission, is_enabled, credential_hash, registered_at, updated_at, environment, labels_json)
                VALUES (\(id), \(spec), \(enrollment.spec.region), \(enrollment.spec.zone), \(enrollment.admission.rawValue), TRUE,
                        \(enrollment.credentialHash), \(enrollment.at), \(enrollment.at), \(token.environment), \(labels))
                ON CONFLICT (id) DO NOTHING
                RETURNING \(unescaped: Self.nodeColumns)
                """,
                logger: logger))
            guard let node = inserted.first else { return .nodeExists }
            try await connection.query("UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = \(token.id)", logger: logger)
            try await Self.insertAudit(audit, on: connection, logger: logger)
            return .registered(node)
        }
    }

    public func updateSpec(of id: NodeID, to spec: NodeSpec, at time: Double, audit: AuditEvent) async throws -> NodeRecord? {
        let json = try NodeCoding.encode(spec)
        return try await mutateNode(id, audit: audit) { connection, logger in
            try await connection.query(
                """
                UPDATE nodes SET spec_json = \(json), region = \(spec.region), zone = \(spec.zone), updated_at = \(time)
                WHERE id = \(id.value) RETURNING \(unescaped: Self.nodeColumns)
                """,
                logger: logger)
        }
    }

    public func node(_ id: NodeID) async throws -> NodeRecord? {
        try await read { client, logger in
            try await Self.nodeRecords(client.query("SELECT \(unescaped: Self.nodeColumns) FROM nodes WHERE id = \(id.value)", logger: logger)).first
        }
    }

    public func nodes(_ query: NodeQuery) async throws -> Page<NodeRecord, String> {
        try await filteredPage(query) { after, batch in
            try await read { client, logger in
                let admission = query.admission?.rawValue
                return try await Self.nodeRecords(client.query(
                    """
                    SELECT \(unescaped: Self.nodeColumns) FROM nodes
                    WHERE (\(query.region)::text IS NULL OR region = \(query.region)::text)
                      AND (\(query.zone)::text IS NULL OR zone = \(query.zone)::text)
                      AND (\(admission)::text IS NULL OR admission = \(admission)::text)
                      AND (\(query.isEnabled)::bool IS NULL OR is_enabled = \(query.isEnabled)::bool)
                      AND (\(query.environment)::text IS NULL OR environment = \(query.environment)::text)
                      AND (\(after)::text IS NULL OR id COLLATE "C" > \(after)::text)
                    ORDER BY id COLLATE "C" LIMIT \(batch)
                    """,
                    logger: logger))
            }
        }
    }

    public func allNodes() async throws -> [NodeRecord] {
        try await read { client, logger in
            try await Self.nodeRecords(client.query("SELECT \(unescaped: Self.nodeColumns) FROM nodes ORDER BY id COLLATE \"C\"", logger: logger))
        }
    }

    public func updateNode(_ id: NodeID, _ update: NodeUpdate, at time: Double, audit: [AuditEvent]) async throws -> NodeRecord? {
        try await transaction { connection, logger -> NodeRecord? in
            let current = try await Self.nodeRecords(connection.query(
                "SELECT \(unescaped: Self.nodeColumns) FROM nodes WHERE id = \(id.value) FOR UPDATE", logger: logger))
            guard let found = current.first else { return nil }
            let node = update.applied(to: found)
            let spec = try NodeCoding.encode(node.spec)
            let labels = try NodeCoding.encode(node.labels)
            let updated = try await Self.nodeRecords(connection.query(
                """
                UPDATE nodes SET is_enabled = \(node.isEnabled), spec_json = \(spec), region = \(node.spec.region), zone = \(node.spec.zone),
                    environment = \(node.environment), labels_json = \(labels), updated_at = \(time)
                WHERE id = \(id.value) RETURNING \(unescaped: Self.nodeColumns)
                """,
                logger: logger))
            for event in audit { try await Self.insertAudit(event, on: connection, logger: logger) }
            return updated.first
        }
    }

    public func setAdmission(_ id: NodeID, _ state: AdmissionState, at time: Double, audit: AuditEvent) async throws -> NodeRecord? {
        try await mutateNode(id, audit: audit) { connection, logger in
            try await connection.query(
                """
                UPDATE nodes SET admission = \(state.rawValue), updated_at = \(time) WHERE id = \(id.value) RETURNING \(unescaped: Self.nodeColumns)
                """,
                logger: logger)
        }
    }

    public func replaceCredential(of id: NodeID, with hash: String, at time: Double, audit: AuditEvent) async throws -> Bool {
        try await mutateNode(id, audit: audit) { connection, logger in
            try await connection.query(
                """
                UPDATE nodes SET credential_hash = \(hash), updated_at = \(time) WHERE id = \(id.value) RETURNING \(unescaped: Self.nodeColumns)
                """,
                logger: logger)
        } != nil
    }

    public func deleteNode(_ id: NodeID, audit: AuditEvent) async throws -> Bool {
        try await transaction { connection, logger in
            let rows = try await connection.query("DELETE FROM nodes WHERE id = \(id.value) RETURNING id", logger: logger).collect()
            guard !rows.isEmpty else { return false }
            try await connection.query("DELETE FROM node_health_transitions WHERE node_id = \(id.value)", logger: logger)
            try await Self.insertAudit(audit, on: connection, logger: logger)
            return true
        }
    }

    public func credentialOwner(hash: String) async throws -> NodeCredentialOwner? {
        try await read { client, logger in
            let rows = try await client.query("SELECT id, admission FROM nodes WHERE credential_hash = \(hash)", logger: logger)
            for try await (id, admission) in rows.decode((String, String).self) {
                guard let nodeID = NodeID(id), let state = AdmissionState(rawValue: admission) else { return nil }
                return NodeCredentialOwner(nodeID: nodeID, admission: state)
            }
            return nil
        }
    }

    // MARK: Heartbeats and health

    /// One statement for the whole batch: `unnest` of three arrays.
    public func recordHeartbeats(_ batch: [HeartbeatSnapshot]) async throws {
        guard !batch.isEmpty else { return }
        let ids = batch.map(\.nodeID.value)
        let times = batch.map(\.at)
        let documents = try batch.map { try NodeCoding.encode($0.heartbeat) }
        try await read { client, logger in
            try await client.query(
                """
                UPDATE nodes AS n SET last_heartbeat_at = b.at, heartbeat_json = b.doc
                FROM unnest(\(ids)::text[], \(times)::float8[], \(documents)::text[]) AS b(id, at, doc)
                WHERE n.id = b.id AND (n.last_heartbeat_at IS NULL OR n.last_heartbeat_at < b.at)
                """,
                logger: logger)
        }
    }

    public func recordHealthTransition(_ transition: HealthTransition) async throws -> Bool {
        try await transaction { connection, logger in
            let rows = try await connection.query(
                """
                UPDATE nodes SET health = \(transition.to.rawValue), health_changed_at = \(transition.at)
                WHERE id = \(transition.nodeID.value) AND health = \(transition.from.rawValue) RETURNING id
                """,
                logger: logger
            ).collect()
            guard !rows.isEmpty else { return false }
            try await connection.query(
                """
                INSERT INTO node_health_transitions (node_id, from_health, to_health, at)
                VALUES (\(transition.nodeID.value), \(transition.from.rawValue), \(transition.to.rawValue), \(transition.at))
                """,
                logger: logger)
            return true
        }
    }

    public func healthTransitions(of id: NodeID, limit: Int) async throws -> [HealthTransition] {
        try await read { client, logger in
            let rows = try await client.query(
                "SELECT from_health, to_health, at FROM node_health_transitions WHERE node_id = \(id.value) ORDER BY id DESC LIMIT \(limit)",
                logger: logger)
            var transitions: [HealthTransition] = []
            for try await (from, to, at) in rows.decode((String, String, Double).self) {
                guard let from = NodeHealth(rawValue: from), let to = NodeHealth(rawValue: to) else { continue }
                transitions.append(HealthTransition(nodeID: id, from: from, to: to, at: at))
            }
            return transitions
        }
    }

    // MARK: Desired state and status

    public func desiredModules(of id: NodeID) async throws -> [DesiredModule] {
        try await read { client, logger in
            let rows = try await client.query(
                "SELECT module_json FROM node_desired_modules WHERE node_id = \(id.value) ORDER BY name COLLATE \"C\"", logger: logger)
            var modules: [DesiredModule] = []
            for try await json in rows.decode(String.self) {
                if let module = NodeCoding.decode(DesiredModule.self, json) { modules.append(module) }
            }
            return modules
        }
    }

    public func setDesiredModules(_ modules: [DesiredModule], for id: NodeID) async throws {
        let encoded = try modules.map { ($0, try NodeCoding.encode($0)) }
        try await transaction { connection, logger in
            try await connection.query("DELETE FROM node_desired_modules WHERE node_id = \(id.value)", logger: logger)
            for (module, json) in encoded {
                try await connection.query(
                    """
                    INSERT INTO node_desired_modules (node_id, name, digest, module_json, deployment_id)
                    VALUES (\(id.value), \(module.name), \(module.digest.description), \(json), \(module.deploymentID))
                    """,
                    logger: logger)
            }
        }
    }

    public func recordStatus(_ reports: [ModuleStatusReport], for id: NodeID, at time: Double) async throws {
        let encoded = try reports.map { ($0, try NodeCoding.encode($0)) }
        try await transaction { connection, logger in
            for (report, json) in encoded {
                try await connection.query(
                    """
                    INSERT INTO node_module_status (node_id, module, state, deployment_id, report_json, reported_at)
                    VALUES (\(id.value), \(report.module), \(report.state.rawValue), \(report.deploymentID), \(json), \(time))
                    ON CONFLICT (node_id, module) DO UPDATE SET state = EXCLUDED.state, deployment_id = EXCLUDED.deployment_id,
                        report_json = EXCLUDED.report_json, reported_at = EXCLUDED.reported_at
                    """,
                    logger: logger)
            }
        }
    }

    public func recordStatuses(_ batch: [RecordedStatus]) async throws {
        guard !batch.isEmpty else { return }
        var nodes: [String] = [], modules: [String] = [], states: [String] = [], deployments: [String] = [], json: [String] = [], times: [Double] = []
        for entry in batch {
            nodes.append(entry.node.value)
            modules.append(entry.status.report.module)
            states.append(entry.status.report.state.rawValue)
            deployments.append(entry.status.report.deploymentID ?? "")
            json.append(try NodeCoding.encode(entry.status.report))
            times.append(entry.status.reportedAt)
        }
        try await read { [nodes, modules, states, deployments, json, times] client, logger in
            try await client.query(
                """
                INSERT INTO node_module_status (node_id, module, state, deployment_id, report_json, reported_at)
                SELECT u.node_id, u.module, u.state, NULLIF(u.deployment_id, ''), u.report_json, u.reported_at
                FROM unnest(\(nodes)::text[], \(modules)::text[], \(states)::text[], \(deployments)::text[], \(json)::text[], \(times)::float8[])
                    AS u(node_id, module, state, deployment_id, report_json, reported_at)
                WHERE EXISTS (SELECT 1 FROM nodes n WHERE n.id = u.node_id)
                ON CONFLICT (node_id, module) DO UPDATE SET state = EXCLUDED.state, deployment_id = EXCLUDED.deployment_id,
                    report_json = EXCLUDED.report_json, reported_at = EXCLUDED.reported_at
                WHERE node_module_status.reported_at <= EXCLUDED.reported_at
                """,
                logger: logger)
        }
    }

    public func moduleStatuses(of id: NodeID) async throws -> [RecordedModuleStatus] {
        try await read { client, logger in
            let rows = try await client.query(
                "SELECT report_json, reported_at FROM node_module_status WHERE node_id = \(id.value) ORDER BY module COLLATE \"C\"",
                logger: logger)
            var statuses: [RecordedModuleStatus] = []
            for try await (json, at) in rows.decode((String, Double).self) {
                if let report = NodeCoding.decode(ModuleStatusReport.self, json) {
                    statuses.append(RecordedModuleStatus(report: report, reportedAt: at))
                }
            }
            return statuses
        }
    }

    // MARK: Helpers

    /// A guarded transaction on one pooled connection.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await guarded { [client] in
            try await client.withTransaction(logger: logger) { connection in try await body(connection, logger) }
        }
    }

    /// A guarded statement outside an explicit transaction.
    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresClient, Logger) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await guarded { [client] in try await body(client, logger) }
    }

    /// Runs a node UPDATE … RETURNING with its audit event; `nil` when the node does not exist.
    private func mutateNode(
        _ id: NodeID, audit: AuditEvent, _ update: @escaping @Sendable (PostgresConnection, Logger) async throws -> PostgresRowSequence
    ) async throws -> NodeRecord? {
        try await transaction { connection, logger -> NodeRecord? in
            guard let node = try await Self.nodeRecords(update(connection, logger)).first else { return nil }
            try await Self.insertAudit(audit, on: connection, logger: logger)
            return node
        }
    }

    static func nodeRecords(_ rows: PostgresRowSequence) async throws -> [NodeRecord] {
        var nodes: [NodeRecord] = []
        for try await (id, spec, admission, enabled, registeredAt, updatedAt, heartbeatAt, heartbeat, health, healthChangedAt, environment, labels)
            in rows.decode((String, String, String, Bool, Double, Double, Double?, String?, String, Double?, String, String).self)
        {
            guard let nodeID = NodeID(id), let spec = NodeCoding.decode(NodeSpec.self, spec), let admission = AdmissionState(rawValue: admission)
            else { continue }
            nodes.append(NodeRecord(
                id: nodeID, spec: spec, admission: admission, isEnabled: enabled, registeredAt: registeredAt, updatedAt: updatedAt,
                lastHeartbeatAt: heartbeatAt, lastHeartbeat: NodeCoding.decode(Heartbeat.self, heartbeat),
                recordedHealth: NodeHealth(rawValue: health) ?? .offline, healthChangedAt: healthChangedAt, environment: environment,
                labels: NodeCoding.decode([String: String].self, labels) ?? [:]))
        }
        return nodes
    }

    static func tokenRecords(_ rows: PostgresRowSequence) async throws -> [EnrollmentTokenRecord] {
        var tokens: [EnrollmentTokenRecord] = []
        for try await (id, expiresAt, maxUses, uses, region, labels, description, createdBy, createdAt, environment) in rows.decode(
            (String, Double, Int32, Int32, String?, String, String?, String, Double, String).self)
        {
            tokens.append(EnrollmentTokenRecord(
                id: id, expiresAt: expiresAt, maxUses: Int(maxUses), uses: Int(uses), region: region,
                requiredLabels: NodeCoding.decode([String: String].self, labels) ?? [:], createdBy: createdBy, createdAt: createdAt,
                description: description, environment: environment))
        }
        return tokens
    }
}
