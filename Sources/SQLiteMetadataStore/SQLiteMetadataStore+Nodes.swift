import OrchestratorDomain
import OrchestratorPorts
import SQLiteNIO

/// Edge nodes on SQLite. Writes run in `BEGIN IMMEDIATE` under the single connection's mutex.
extension SQLiteMetadataStore {
    static let nodeColumns = """
        id, spec_json, admission, is_enabled, registered_at, updated_at, last_heartbeat_at, heartbeat_json, health, health_changed_at,
        environment, labels_json
        """

    // MARK: Enrollment tokens

    public func createEnrollmentToken(_ token: EnrollmentTokenRecord, secretHash: String, audit: AuditEvent) async throws {
        let labels = try NodeCoding.encode(token.requiredLabels)
        try await transaction { connection in
            _ = try await connection.query(
                """
                INSERT INTO enrollment_tokens
                    (id, secret_hash, expires_at, max_uses, uses, region, required_labels_json, description, created_by, created_at, environment)
                VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)
                """,
                [.text(token.id), .text(secretHash), .float(token.expiresAt), .integer(token.maxUses), Self.optional(token.region),
                 .text(labels), Self.optional(token.description), .text(token.createdBy), .float(token.createdAt), .text(token.environment)])
            try await Self.insertAudit(audit, on: connection)
        }
    }

    public func enrollmentTokens(includeExpiredBefore cutoff: Double?) async throws -> [EnrollmentTokenRecord] {
        try await run(
            "SELECT * FROM enrollment_tokens WHERE (?1 IS NULL OR expires_at > ?1) ORDER BY created_at DESC, id",
            [cutoff.map { .float($0) } ?? .null]
        ).compactMap(Self.tokenRecord)
    }

    public func enrollmentToken(secretHash: String) async throws -> EnrollmentTokenRecord? {
        try await run("SELECT * FROM enrollment_tokens WHERE secret_hash = ?", [.text(secretHash)]).first.flatMap(Self.tokenRecord)
    }

    public func deleteEnrollmentToken(id: String, audit: AuditEvent) async throws -> Bool {
        try await transaction { connection in
            let rows = try await connection.query("DELETE FROM enrollment_tokens WHERE id = ? RETURNING id", [.text(id)])
            guard !rows.isEmpty else { return false }
            try await Self.insertAudit(audit, on: connection)
            return true
        }
    }

    // MARK: Nodes

    public func enroll(_ enrollment: Enrollment, audit: AuditEvent) async throws -> EnrollmentOutcome {
        let spec = try NodeCoding.encode(enrollment.spec)
        return try await transaction { connection in
            let tokens = try await connection.query("SELECT * FROM enrollment_tokens WHERE secret_hash = ?", [.text(enrollment.tokenHash)])
            guard let token = tokens.first.flatMap(Self.tokenRecord) else { return .unknownToken }
            if let refusal = EnrollmentRules.refusal(token, spec: enrollment.spec, now: enrollment.at) { return .refused(refusal) }
            let existing = try await connection.query("SELECT 1 FROM nodes WHERE id = ?", [.text(enrollment.nodeID.value)])
            guard existing.isEmpty else { return .nodeExists }
            _ = try await connection.query("UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = ?", [.text(token.id)])
            let rows = try await connection.query(
                """
                INSERT INTO nodes (id, spec_json, region, zone, admission, is_enabled, credential_hash, registered_at, updated_at, environment, labels_json)
                VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?7, ?8, ?9) RETURNING \(Self.nodeColumns)
                """,
                [.text(enrollment.nodeID.value), .text(spec), .text(enrollment.spec.region), .text(enrollment.spec.zone),
                 .text(enrollment.admission.rawValue), .text(enrollment.credentialHash), .float(enrollment.at), .text(token.environment),
                 .text(try NodeCoding.encode(token.requiredLabels))])
            guard let node = rows.first.flatMap(Self.nodeRecord) else { throw SQLiteCatalogError.missingRow("nodes") }
            try await Self.insertAudit(audit, on: connection)
            return .registered(node)
        }
    }

    public func updateSpec(of id: NodeID, to spec: NodeSpec, at time: Double, audit: AuditEvent) async throws -> NodeRecord? {
        let json = try NodeCoding.encode(spec)
        return try await mutateNode(
            "UPDATE nodes SET spec_json = ?, region = ?, zone = ?, updated_at = ? WHERE id = ?",
            [.text(json), .text(spec.region), .text(spec.zone), .float(time), .text(id.value)], id: id, audit: audit)
    }

    public func node(_ id: NodeID) async throws -> NodeRecord? {
        try await run("SELECT \(Self.nodeColumns) FROM nodes WHERE id = ?", [.text(id.value)]).first.flatMap(Self.nodeRecord)
    }

    public func nodes(_ query: NodeQuery) async throws -> Page<NodeRecord, String> {
        try await filteredPage(query) { after, batch in
            try await run(
                """
                SELECT \(Self.nodeColumns) FROM nodes
                WHERE (?1 IS NULL OR region = ?1) AND (?2 IS NULL OR zone = ?2) AND (?3 IS NULL OR admission = ?3)
                  AND (?4 IS NULL OR is_enabled = ?4) AND (?5 IS NULL OR id > ?5) AND (?7 IS NULL OR environment = ?7)
                ORDER BY id LIMIT ?6
                """,
                [Self.optional(query.region), Self.optional(query.zone), Self.optional(query.admission?.rawValue),
                 query.isEnabled.map { .integer($0 ? 1 : 0) } ?? .null, Self.optional(after), .integer(batch), Self.optional(query.environment)]
            ).compactMap(Self.nodeRecord)
        }
    }

    public func allNodes() async throws -> [NodeRecord] {
        try await run("SELECT \(Self.nodeColumns) FROM nodes ORDER BY id").compactMap(Self.nodeRecord)
    }

    public func updateNode(_ id: NodeID, _ update: NodeUpdate, at time: Double, audit: [AuditEvent]) async throws -> NodeRecord? {
        try await transaction { connection in
            let rows = try await connection.query("SELECT \(Self.nodeColumns) FROM nodes WHERE id = ?", [.text(id.value)])
            guard let current = rows.first.flatMap(Self.nodeRecord) else { return nil }
            let node = update.applied(to: current)
            _ = try await connection.query(
                """
                UPDATE nodes SET is_enabled = ?, spec_json = ?, region = ?, zone = ?, environment = ?, labels_json = ?, updated_at = ? WHERE id = ?
                """,
                [.integer(node.isEnabled ? 1 : 0), .text(try NodeCoding.encode(node.spec)), .text(node.spec.region), .text(node.spec.zone),
                 .text(node.environment), .text(try NodeCoding.encode(node.labels)), .float(time), .text(id.value)])
            for event in audit { try await Self.insertAudit(event, on: connection) }
            return try await connection.query("SELECT \(Self.nodeColumns) FROM nodes WHERE id = ?", [.text(id.value)]).first.flatMap(Self.nodeRecord)
        }
    }

    public func setAdmission(_ id: NodeID, _ state: AdmissionState, at time: Double, audit: AuditEvent) async throws -> NodeRecord? {
        try await mutateNode(
            "UPDATE nodes SET admission = ?, updated_at = ? WHERE id = ?", [.text(state.rawValue), .float(time), .text(id.value)],
            id: id, audit: audit)
    }

    public func replaceCredential(of id: NodeID, with hash: String, at time: Double, audit: AuditEvent) async throws -> Bool {
        try await mutateNode(
            "UPDATE nodes SET credential_hash = ?, updated_at = ? WHERE id = ?", [.text(hash), .float(time), .text(id.value)],
            id: id, audit: audit) != nil
    }

    public func deleteNode(_ id: NodeID, audit: AuditEvent) async throws -> Bool {
        try await transaction { connection in
            let rows = try await connection.query("DELETE FROM nodes WHERE id = ? RETURNING id", [.text(id.value)])
            guard !rows.isEmpty else { return false }
            _ = try await connection.query("DELETE FROM node_health_transitions WHERE node_id = ?", [.text(id.value)])
            try await Self.insertAudit(audit, on: connection)
            return true
        }
    }

    public func credentialOwner(hash: String) async throws -> NodeCredentialOwner? {
        try await run("SELECT id, admission FROM nodes WHERE credential_hash = ?", [.text(hash)]).first.flatMap { row in
            guard let id = row.column("id")?.string.flatMap(NodeID.init),
                  let admission = row.column("admission")?.string.flatMap(AdmissionState.init(rawValue:))
            else { return nil }
            return NodeCredentialOwner(nodeID: id, admission: admission)
        }
    }

    // MARK: Heartbeats and health

    public func recordHeartbeats(_ batch: [HeartbeatSnapshot]) async throws {
        guard !batch.isEmpty else { return }
        let encoded = try batch.map { ($0, try NodeCoding.encode($0.heartbeat)) }
        try await transaction { connection in
            for (snapshot, json) in encoded {
                _ = try await connection.query(
                    """
                    UPDATE nodes SET last_heartbeat_at = ?1, heartbeat_json = ?2
                    WHERE id = ?3 AND (last_heartbeat_at IS NULL OR last_heartbeat_at < ?1)
                    """,
                    [.float(snapshot.at), .text(json), .text(snapshot.nodeID.value)])
            }
        }
    }

    public func recordHealthTransition(_ transition: HealthTransition) async throws -> Bool {
        try await transaction { connection in
            let rows = try await connection.query(
                "UPDATE nodes SET health = ?, health_changed_at = ? WHERE id = ? AND health = ? RETURNING id",
                [.text(transition.to.rawValue), .float(transition.at), .text(transition.nodeID.value), .text(transition.from.rawValue)])
            guard !rows.isEmpty else { return false }
            _ = try await connection.query(
                "INSERT INTO node_health_transitions (node_id, from_health, to_health, at) VALUES (?, ?, ?, ?)",
                [.text(transition.nodeID.value), .text(transition.from.rawValue), .text(transition.to.rawValue), .float(transition.at)])
            return true
        }
    }

    public func healthTransitions(of id: NodeID, limit: Int) async throws -> [HealthTransition] {
        try await run(
            "SELECT from_health, to_health, at FROM node_health_transitions WHERE node_id = ? ORDER BY id DESC LIMIT ?",
            [.text(id.value), .integer(limit)]
        ).compactMap { row in
            guard let from = row.column("from_health")?.string.flatMap(NodeHealth.init(rawValue:)),
                  let to = row.column("to_health")?.string.flatMap(NodeHealth.init(rawValue:))
            else { return nil }
            return HealthTransition(nodeID: id, from: from, to: to, at: row.column("at")?.double ?? 0)
        }
    }

    // MARK: Desired state and status

    public func desiredModules(of id: NodeID) async throws -> [DesiredModule] {
        try await run("SELECT module_json FROM node_desired_modules WHERE node_id = ? ORDER BY name", [.text(id.value)])
            .compactMap { NodeCoding.decode(DesiredModule.self, $0.column("module_json")?.string) }
    }

    public func setDesiredModules(_ modules: [DesiredModule], for id: NodeID) async throws {
        let encoded = try modules.map { ($0, try NodeCoding.encode($0)) }
        try await transaction { connection in
            _ = try await connection.query("DELETE FROM node_desired_modules WHERE node_id = ?", [.text(id.value)])
            for (module, json) in encoded {
                _ = try await connection.query(
                    "INSERT INTO node_desired_modules (node_id, name, digest, module_json, deployment_id) VALUES (?, ?, ?, ?, ?)",
                    [.text(id.value), .text(module.name), .text(module.digest.description), .text(json), Self.optional(module.deploymentID)])
            }
        }
    }

    public func recordStatuses(_ batch: [RecordedStatus]) async throws {
        guard !batch.isEmpty else { return }
        let encoded = try batch.map { ($0, try NodeCoding.encode($0.status.report)) }
        try await transaction { connection in
            for (entry, json) in encoded {
                let report = entry.status.report
                _ = try await connection.query(
                    """
                    INSERT INTO node_module_status (node_id, module, state, deployment_id, report_json, reported_at)
                    SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM nodes WHERE id = ?1)
                    ON CONFLICT (node_id, module) DO UPDATE SET state = ?3, deployment_id = ?4, report_json = ?5, reported_at = ?6
                    WHERE node_module_status.reported_at <= ?6
                    """,
                    [.text(entry.node.value), .text(report.module), .text(report.state.rawValue), Self.optional(report.deploymentID), .text(json),
                     .float(entry.status.reportedAt)])
            }
        }
    }

    public func recordStatus(_ reports: [ModuleStatusReport], for id: NodeID, at time: Double) async throws {
        let encoded = try reports.map { ($0, try NodeCoding.encode($0)) }
        try await transaction { connection in
            for (report, json) in encoded {
                _ = try await connection.query(
                    """
                    INSERT INTO node_module_status (node_id, module, state, deployment_id, report_json, reported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                    ON CONFLICT (node_id, module) DO UPDATE SET state = ?3, deployment_id = ?4, report_json = ?5, reported_at = ?6
                    """,
                    [.text(id.value), .text(report.module), .text(report.state.rawValue), Self.optional(report.deploymentID), .text(json), .float(time)])
            }
        }
    }

    public func moduleStatuses(of id: NodeID) async throws -> [RecordedModuleStatus] {
        try await run("SELECT report_json, reported_at FROM node_module_status WHERE node_id = ? ORDER BY module", [.text(id.value)])
            .compactMap { row in
                NodeCoding.decode(ModuleStatusReport.self, row.column("report_json")?.string).map {
                    RecordedModuleStatus(report: $0, reportedAt: row.column("reported_at")?.double ?? 0)
                }
            }
    }

    // MARK: Rows

    /// Runs one node UPDATE with its audit event; `nil` when the node does not exist.
    private func mutateNode(_ sql: String, _ binds: [SQLiteData], id: NodeID, audit: AuditEvent) async throws -> NodeRecord? {
        try await transaction { connection in
            _ = try await connection.query(sql, binds)
            let rows = try await connection.query("SELECT \(Self.nodeColumns) FROM nodes WHERE id = ?", [.text(id.value)])
            guard let node = rows.first.flatMap(Self.nodeRecord) else { return nil }
            try await Self.insertAudit(audit, on: connection)
            return node
        }
    }

    static func nodeRecord(_ row: SQLiteRow) -> NodeRecord? {
        guard let id = row.column("id")?.string.flatMap(NodeID.init),
              let spec = NodeCoding.decode(NodeSpec.self, row.column("spec_json")?.string),
              let admission = row.column("admission")?.string.flatMap(AdmissionState.init(rawValue:))
        else { return nil }
        return NodeRecord(
            id: id, spec: spec, admission: admission, isEnabled: (row.column("is_enabled")?.integer ?? 1) != 0,
            registeredAt: row.column("registered_at")?.double ?? 0, updatedAt: row.column("updated_at")?.double ?? 0,
            lastHeartbeatAt: row.column("last_heartbeat_at")?.double,
            lastHeartbeat: NodeCoding.decode(Heartbeat.self, row.column("heartbeat_json")?.string),
            recordedHealth: row.column("health")?.string.flatMap(NodeHealth.init(rawValue:)) ?? .offline,
            healthChangedAt: row.column("health_changed_at")?.double,
            environment: row.column("environment")?.string ?? EnvironmentRules.defaultEnvironment,
            labels: NodeCoding.decode([String: String].self, row.column("labels_json")?.string) ?? [:])
    }

    static func tokenRecord(_ row: SQLiteRow) -> EnrollmentTokenRecord? {
        guard let id = row.column("id")?.string else { return nil }
        return EnrollmentTokenRecord(
            id: id, expiresAt: row.column("expires_at")?.double ?? 0, maxUses: row.column("max_uses")?.integer ?? 0,
            uses: row.column("uses")?.integer ?? 0, region: row.column("region")?.string,
            requiredLabels: NodeCoding.decode([String: String].self, row.column("required_labels_json")?.string) ?? [:],
            createdBy: row.column("created_by")?.string ?? "", createdAt: row.column("created_at")?.double ?? 0,
            description: row.column("description")?.string,
            environment: row.column("environment")?.string ?? EnvironmentRules.defaultEnvironment)
    }
}
