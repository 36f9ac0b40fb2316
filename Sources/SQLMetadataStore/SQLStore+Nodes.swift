import OrchestratorDomain
import OrchestratorPorts

/// Edge nodes, their enrollment tokens, heartbeats, health, desired state and status.
extension SQLStore {
    static var nodeColumns: String {
        "id, spec_json, admission, is_enabled, registered_at, updated_at, last_heartbeat_at, heartbeat_json, health, health_changed_at, "
            + "environment, labels_json"
    }

    static var nodeSelect: String { "SELECT \(nodeColumns) FROM nodes" }

    static var tokenSelect: String {
        "SELECT id, expires_at, max_uses, uses, region, required_labels_json, description, created_by, created_at, environment "
            + "FROM enrollment_tokens"
    }

    // MARK: Enrollment tokens

    public func createEnrollmentToken(_ token: EnrollmentTokenRecord, secretHash: String, audit: AuditEvent) async throws {
        let labels = try NodeCoding.encode(token.requiredLabels)
        try await audited(
            """
            INSERT INTO enrollment_tokens (id, secret_hash, expires_at, max_uses, uses, region, required_labels_json, description, created_by,
                created_at, environment) VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9, $10) RETURNING id
            """,
            [
                .text(token.id), .text(secretHash), .timestamp(token.expiresAt), .integer(token.maxUses), .text(token.region), .text(labels),
                .text(token.description), .text(token.createdBy), .timestamp(token.createdAt), .text(token.environment),
            ], audit: [audit])
    }

    public func enrollmentTokens(includeExpiredBefore cutoff: Double?) async throws -> [EnrollmentTokenRecord] {
        try await tokens(query("\(Self.tokenSelect) WHERE ($1 IS NULL OR expires_at > $1) ORDER BY created_at DESC, id", [.timestamp(cutoff)]))
    }

    public func enrollmentToken(secretHash: String) async throws -> EnrollmentTokenRecord? {
        try await tokens(query("\(Self.tokenSelect) WHERE secret_hash = $1", [.text(secretHash)])).first
    }

    public func deleteEnrollmentToken(id: String, audit: AuditEvent) async throws -> Bool {
        try await audited("DELETE FROM enrollment_tokens WHERE id = $1 RETURNING id", [.text(id)], audit: [audit])
    }

    // MARK: Nodes

    /// A node id or credential hash that is already taken is ``EnrollmentOutcome/nodeExists``.
    public func enroll(_ enrollment: Enrollment, audit: AuditEvent) async throws -> EnrollmentOutcome {
        let spec = try NodeCoding.encode(enrollment.spec)
        do {
            return try await transaction { [dialect] session -> EnrollmentOutcome in
                let tokens = try await self.tokens(
                    session.query("\(Self.tokenSelect) WHERE secret_hash = $1\(dialect.forUpdate)", [.text(enrollment.tokenHash)]))
                guard let token = tokens.first else { return .unknownToken }
                if let refusal = EnrollmentRules.refusal(token, spec: enrollment.spec, now: enrollment.at) { return .refused(refusal) }
                let inserted = try await self.nodes(
                    session.query(
                        """
                        INSERT INTO nodes (id, spec_json, region, zone, admission, is_enabled, credential_hash, registered_at,
                            updated_at, environment, labels_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10)
                            ON CONFLICT (id) DO NOTHING RETURNING \(Self.nodeColumns)
                        """,
                        [
                            .text(enrollment.nodeID.value), .text(spec), .text(enrollment.spec.region), .text(enrollment.spec.zone),
                            .text(enrollment.admission), .boolean(true), .text(enrollment.credentialHash), .timestamp(enrollment.at),
                            .text(token.environment), .text(try NodeCoding.encode(token.requiredLabels)),
                        ]))
                guard let node = inserted.first else { return .nodeExists }
                try await session.query("UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = $1", [.text(token.id)])
                try await Self.insertAudit(audit, on: session)
                return .registered(node)
            }
        } catch is SQLUniqueViolation {
            return .nodeExists
        }
    }

    public func updateSpec(of id: NodeID, to spec: NodeSpec, at time: Double, audit: AuditEvent) async throws -> NodeRecord? {
        try await mutateNode(
            "spec_json = $2, region = $3, zone = $4, updated_at = $5",
            [.text(id.value), .text(try NodeCoding.encode(spec)), .text(spec.region), .text(spec.zone), .timestamp(time)], audit: [audit])
    }

    public func node(_ id: NodeID) async throws -> NodeRecord? {
        try await nodes(query("\(Self.nodeSelect) WHERE id = $1", [.text(id.value)])).first
    }

    public func nodes(_ query: NodeQuery) async throws -> Page<NodeRecord, String> {
        try await filteredPage(query) { after, batch in
            try await nodes(
                self.query(
                    """
                    \(Self.nodeSelect)
                    WHERE ($1 IS NULL OR region = $1) AND ($2 IS NULL OR zone = $2) AND ($3 IS NULL OR admission = $3)
                      AND ($4 IS NULL OR is_enabled = $4) AND ($5 IS NULL OR environment = $5) AND ($6 IS NULL OR id\(dialect.byteOrder) > $6)
                    ORDER BY id\(dialect.byteOrder) LIMIT $7
                    """,
                    [
                        .text(query.region), .text(query.zone), .text(query.admission?.rawValue), .boolean(query.isEnabled), .text(query.environment),
                        .text(after), .integer(batch),
                    ]))
        }
    }

    public func allNodes() async throws -> [NodeRecord] {
        try await nodes(query("\(Self.nodeSelect) ORDER BY id\(dialect.byteOrder)"))
    }

    public func updateNode(_ id: NodeID, _ update: NodeUpdate, at time: Double, audit: [AuditEvent]) async throws -> NodeRecord? {
        try await transaction { [dialect] session -> NodeRecord? in
            let current = try await self.nodes(session.query("\(Self.nodeSelect) WHERE id = $1\(dialect.forUpdate)", [.text(id.value)]))
            guard let found = current.first else { return nil }
            let node = update.applied(to: found)
            return try await self.mutateNode(
                "is_enabled = $2, spec_json = $3, region = $4, zone = $5, environment = $6, labels_json = $7, updated_at = $8",
                [
                    .text(id.value), .boolean(node.isEnabled), .text(try NodeCoding.encode(node.spec)), .text(node.spec.region),
                    .text(node.spec.zone), .text(node.environment), .text(try NodeCoding.encode(node.labels)), .timestamp(time),
                ],
                audit: audit, on: session)
        }
    }

    public func setAdmission(_ id: NodeID, _ state: AdmissionState, at time: Double, audit: AuditEvent) async throws -> NodeRecord? {
        try await mutateNode("admission = $2, updated_at = $3", [.text(id.value), .text(state), .timestamp(time)], audit: [audit])
    }

    public func replaceCredential(of id: NodeID, with hash: String, at time: Double, audit: AuditEvent) async throws -> Bool {
        try await mutateNode("credential_hash = $2, updated_at = $3", [.text(id.value), .text(hash), .timestamp(time)], audit: [audit]) != nil
    }

    public func deleteNode(_ id: NodeID, audit: AuditEvent) async throws -> Bool {
        try await audited(
            "DELETE FROM nodes WHERE id = $1 RETURNING id", [.text(id.value)], then: ["DELETE FROM node_health_transitions WHERE node_id = $1"],
            audit: [audit])
    }

    public func credentialOwner(hash: String) async throws -> NodeCredentialOwner? {
        let rows = try await query("SELECT id, admission FROM nodes WHERE credential_hash = $1", [.text(hash)])
        return try decode(rows, table: "nodes", key: ["id"]) {
            try NodeCredentialOwner(nodeID: $0.nodeID("id"), admission: $0.value(AdmissionState.self, "admission"))
        }.first
    }

    // MARK: Heartbeats and health

    /// One bulk statement for the whole batch; a heartbeat older than the stored one is ignored.
    public func recordHeartbeats(_ batch: [HeartbeatSnapshot]) async throws {
        guard !batch.isEmpty else { return }
        let rows = try batch.map { [SQLValue.text($0.nodeID.value), .timestamp($0.at), .text(try NodeCoding.encode($0.heartbeat))] }
        try await transaction { session in
            try await session.bulk(
                """
                UPDATE nodes AS n SET last_heartbeat_at = u.at, heartbeat_json = u.doc FROM \(SQLBulk.source)
                WHERE n.id = u.id AND (n.last_heartbeat_at IS NULL OR n.last_heartbeat_at < u.at)
                """,
                [], columns: ["id", "at", "doc"], rows: rows)
        }
    }

    public func recordHealthTransition(_ transition: HealthTransition) async throws -> Bool {
        let binds: [SQLValue] = [.text(transition.nodeID.value), .text(transition.from), .text(transition.to), .timestamp(transition.at)]
        return try await transaction { session in
            let rows = try await session.query(
                "UPDATE nodes SET health = $3, health_changed_at = $4 WHERE id = $1 AND health = $2 RETURNING id", binds)
            guard !rows.isEmpty else { return false }
            try await session.query("INSERT INTO node_health_transitions (node_id, from_health, to_health, at) VALUES ($1, $2, $3, $4)", binds)
            return true
        }
    }

    public func healthTransitions(of id: NodeID, limit: Int) async throws -> [HealthTransition] {
        let rows = try await query(
            "SELECT id, from_health, to_health, at FROM node_health_transitions WHERE node_id = $1 ORDER BY id DESC LIMIT $2",
            [.text(id.value), .integer(limit)])
        return try decode(rows, table: "node_health_transitions", key: ["id"]) { row in
            try HealthTransition(
                nodeID: id, from: row.value(NodeHealth.self, "from_health"), to: row.value(NodeHealth.self, "to_health"), at: row.timestamp("at"))
        }
    }

    // MARK: Desired state and status

    public func desiredModules(of id: NodeID) async throws -> [DesiredModule] {
        try await desired(query("\(Self.desiredSelect) WHERE node_id = $1 ORDER BY name\(dialect.byteOrder)", [.text(id.value)])).map(\.1)
    }

    public func setDesiredModules(_ modules: [DesiredModule], for id: NodeID) async throws {
        let rows = try modules.map { [SQLValue.text($0.name)] + (try Self.desiredCells($0)) }
        try await transaction { session in
            try await session.query("DELETE FROM node_desired_modules WHERE node_id = $1", [.text(id.value)])
            try await session.bulk(
                """
                INSERT INTO node_desired_modules (node_id, name, digest, module_json, deployment_id)
                SELECT $1, u.name, u.digest, u.module_json, NULLIF(u.owner, '') FROM \(SQLBulk.source) WHERE TRUE
                """,
                [.text(id.value)], columns: ["name", "digest", "module_json", "owner"], rows: rows)
        }
    }

    /// One bulk statement; reports of deregistered nodes and reports older than the stored one are skipped.
    public func recordStatuses(_ batch: [RecordedStatus]) async throws {
        guard !batch.isEmpty else { return }
        let rows = try batch.map { entry -> [SQLValue] in
            let report = entry.status.report
            return [
                .text(entry.node.value), .text(report.module), .text(report.state), .text(report.deploymentID ?? ""),
                .text(try NodeCoding.encode(report)), .timestamp(entry.status.reportedAt),
            ]
        }
        try await transaction { session in
            try await session.bulk(
                """
                INSERT INTO node_module_status (node_id, module, state, deployment_id, report_json, reported_at)
                SELECT u.node_id, u.module, u.state, NULLIF(u.deployment_id, ''), u.report_json, u.reported_at FROM \(SQLBulk.source)
                WHERE EXISTS (SELECT 1 FROM nodes n WHERE n.id = u.node_id)
                ON CONFLICT (node_id, module) DO UPDATE SET state = EXCLUDED.state, deployment_id = EXCLUDED.deployment_id,
                    report_json = EXCLUDED.report_json, reported_at = EXCLUDED.reported_at
                WHERE node_module_status.reported_at <= EXCLUDED.reported_at
                """,
                [], columns: ["node_id", "module", "state", "deployment_id", "report_json", "reported_at"], rows: rows)
        }
    }

    public func moduleStatuses(of id: NodeID) async throws -> [RecordedModuleStatus] {
        try await statuses(query("\(Self.statusSelect) WHERE node_id = $1 ORDER BY module\(dialect.byteOrder)", [.text(id.value)])).map(\.1)
    }

    // MARK: Rows

    /// Runs `UPDATE nodes SET <assignments> WHERE id = $1` with its audit events; `nil` when the node does not exist.
    private func mutateNode(
        _ assignments: String, _ binds: [SQLValue], audit: [AuditEvent], on session: (any SQLSession)? = nil
    ) async throws -> NodeRecord? {
        guard let session else { return try await transaction { try await self.mutateNode(assignments, binds, audit: audit, on: $0) } }
        let rows = try await session.query("UPDATE nodes SET \(assignments) WHERE id = $1 RETURNING \(Self.nodeColumns)", binds)
        guard let node = try nodes(rows).first else { return nil }
        for event in audit { try await Self.insertAudit(event, on: session) }
        return node
    }

    func nodes(_ rows: [SQLRow]) throws -> [NodeRecord] {
        try decode(rows, table: "nodes", key: ["id"]) { row in
            try NodeRecord(
                id: row.nodeID("id"), spec: row.json(NodeSpec.self, "spec_json"), admission: row.value(AdmissionState.self, "admission"),
                isEnabled: row.bool("is_enabled"), registeredAt: row.timestamp("registered_at"), updatedAt: row.timestamp("updated_at"),
                lastHeartbeatAt: row.optionalTimestamp("last_heartbeat_at"), lastHeartbeat: row.optionalJSON(Heartbeat.self, "heartbeat_json"),
                recordedHealth: row.value(NodeHealth.self, "health"), healthChangedAt: row.optionalTimestamp("health_changed_at"),
                environment: row.text("environment"), labels: row.json([String: String].self, "labels_json"))
        }
    }

    func tokens(_ rows: [SQLRow]) throws -> [EnrollmentTokenRecord] {
        try decode(rows, table: "enrollment_tokens", key: ["id"]) { row in
            try EnrollmentTokenRecord(
                id: row.text("id"), expiresAt: row.timestamp("expires_at"), maxUses: row.int("max_uses"), uses: row.int("uses"),
                region: row.optionalText("region"), requiredLabels: row.json([String: String].self, "required_labels_json"),
                createdBy: row.text("created_by"), createdAt: row.timestamp("created_at"), description: row.optionalText("description"),
                environment: row.text("environment"))
        }
    }
}
