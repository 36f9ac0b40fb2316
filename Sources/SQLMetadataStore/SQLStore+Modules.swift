import OrchestratorDomain
import OrchestratorPorts

/// The module registry. Uploads and garbage collection of one digest serialise on
/// ``SQLSession/lock(_:)`` keyed by the digest, so a blob is never deleted while an
/// upload that will reference it is in flight.
extension SQLStore {
    static var versionColumns: String {
        "id, module_name, version, digest, size_bytes, interface_json, status, created_by, created_at, first_referenced_at"
    }

    /// One version by module name (`$1`) and version key (`$2`).
    static var versionByKey: String {
        "SELECT \(versionColumns) FROM module_versions WHERE module_name = $1 AND version_key = $2"
    }

    static var moduleSelect: String {
        """
        SELECT m.name, m.description, m.owner, m.created_by, m.created_at, m.updated_at,
               (SELECT COUNT(*) FROM module_versions v WHERE v.module_name = m.name) AS version_count
        FROM modules m
        """
    }

    public func module(named name: ModuleName) async throws -> ModuleRecord? {
        try await modules(query("\(Self.moduleSelect) WHERE m.name = $1", [.text(name.value)])).first
    }

    public func modules(_ query: ModuleQuery) async throws -> Page<ModuleRecord, String> {
        let rows = try await self.query(
            """
            \(Self.moduleSelect)
            WHERE ($1 IS NULL OR substr(m.name, 1, length($1)) = $1) AND ($2 IS NULL OR m.name\(dialect.byteOrder) > $2)
              AND ($3 IS NULL OR EXISTS (SELECT 1 FROM module_versions v WHERE v.module_name = m.name AND v.kind = $3))
              AND ($4 IS NULL OR EXISTS (SELECT 1 FROM module_versions v WHERE v.module_name = m.name AND v.status = $4))
            ORDER BY m.name\(dialect.byteOrder) LIMIT $5
            """,
            [
                .text(query.namePrefix), .text(query.afterName), .text(query.kind?.rawValue), .text(query.status?.rawValue),
                .integer(query.limit + 1),
            ])
        return page(try modules(rows).map { ($0.name.value, $0) }, limit: query.limit)
    }

    public func version(of module: ModuleName, key: String) async throws -> ModuleVersionRecord? {
        try await versions(query(Self.versionByKey, [.text(module.value), .text(key)])).first?.record
    }

    public func versions(_ query: VersionQuery) async throws -> Page<ModuleVersionRecord, Int64> {
        let rows = try await self.query(
            """
            SELECT \(Self.versionColumns) FROM module_versions
            WHERE module_name = $1 AND ($2 IS NULL OR kind = $2) AND ($3 IS NULL OR status = $3) AND ($4 IS NULL OR id < $4)
            ORDER BY id DESC LIMIT $5
            """,
            [
                .text(query.module.value), .text(query.kind?.rawValue), .text(query.status?.rawValue),
                .integer(query.afterPosition.map(Int.init)), .integer(query.limit + 1),
            ])
        return page(try versions(rows).map { ($0.id, $0.record) }, limit: query.limit)
    }

    public func beginUpload(digest: ContentDigest, at time: Double) async throws -> UploadIntent {
        let rows = try await transaction { session in
            try await session.lock("blob:" + digest.hex)
            return try await session.query(
                "INSERT INTO blob_upload_intents (digest, started_at) VALUES ($1, $2) RETURNING id", [.text(digest.description), .timestamp(time)])
        }
        let ids = try decode(rows, table: "blob_upload_intents", key: ["id"]) { Int64(try $0.int("id")) }
        guard let id = ids.first else { throw CorruptRowError(table: "blob_upload_intents", key: digest.description, column: "id") }
        return UploadIntent(id: id, digest: digest)
    }

    public func abandonUpload(_ intent: UploadIntent) async throws {
        try await query("DELETE FROM blob_upload_intents WHERE id = $1", [.integer(Int(intent.id))])
    }

    public func register(_ registration: VersionRegistration, intent: UploadIntent?, audit: AuditEvent) async throws -> RegistrationOutcome {
        let interfaceJSON = try InterfaceCoding.encode(registration.interface)
        let name = SQLValue.text(registration.module.value), key = SQLValue.text(registration.version.identityKey)
        return try await transaction { session -> RegistrationOutcome in
            if let intent { try await session.query("DELETE FROM blob_upload_intents WHERE id = $1", [.integer(Int(intent.id))]) }
            try await session.query(
                """
                INSERT INTO modules (name, description, owner, created_by, created_at, updated_at)
                VALUES ($1, COALESCE($2, ''), $3, $4, $5, $5) ON CONFLICT (name) DO NOTHING
                """,
                [
                    name, .text(registration.description), .text(registration.owner), .text(registration.createdBy),
                    .timestamp(registration.createdAt),
                ])
            let inserted = try await self.versions(
                session.query(
                    """
                    INSERT INTO module_versions
                        (module_name, version, version_key, digest, size_bytes, kind, interface_json, status, created_by, created_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9)
                    ON CONFLICT (module_name, version_key) DO NOTHING RETURNING \(Self.versionColumns)
                    """,
                    [
                        name, .text(registration.versionText), key, .text(registration.blob.digest.description),
                        .integer(registration.blob.sizeBytes), .text(registration.interface.kind), .text(interfaceJSON),
                        .text(registration.createdBy), .timestamp(registration.createdAt),
                    ]))
            guard let created = inserted.first?.record else {
                let existing = try await self.versions(session.query(Self.versionByKey, [name, key]))
                guard let record = existing.first?.record else {
                    throw CorruptRowError(table: "module_versions", key: registration.version.identityKey, column: "id")
                }
                return .existing(record)
            }
            try await session.query(
                """
                UPDATE modules SET description = COALESCE($2, description), owner = COALESCE($3, owner), updated_at = $4 WHERE name = $1
                """,
                [name, .text(registration.description), .text(registration.owner), .timestamp(registration.createdAt)])
            try await Self.insertAudit(audit, on: session)
            return .created(created)
        }
    }

    public func setStatus(
        module: ModuleName, key: String, expected: VersionStatus, to status: VersionStatus, audit: AuditEvent
    ) async throws -> ModuleVersionRecord? {
        try await transaction { session -> ModuleVersionRecord? in
            let rows = try await self.versions(
                session.query(
                    """
                    UPDATE module_versions SET status = $1, status_changed_at = $2
                    WHERE module_name = $3 AND version_key = $4 AND status = $5 RETURNING \(Self.versionColumns)
                    """,
                    [.text(status), .timestamp(audit.occurredAt), .text(module.value), .text(key), .text(expected)]))
            guard let record = rows.first?.record else { return nil }
            try await Self.insertAudit(audit, on: session)
            return record
        }
    }

    public func deleteVersion(module: ModuleName, key: String, audit: AuditEvent) async throws -> VersionDeletionOutcome {
        let binds: [SQLValue] = [.text(module.value), .text(key)]
        return try await transaction { [dialect] session -> VersionDeletionOutcome in
            let rows = try await self.versions(session.query(Self.versionByKey + dialect.forUpdate, binds))
            guard let record = rows.first?.record else { return .notFound }
            guard record.firstReferencedAt == nil else { return .referenced(record) }
            try await session.query("DELETE FROM module_versions WHERE module_name = $1 AND version_key = $2", binds)
            try await Self.insertAudit(audit, on: session)
            return .deleted(record)
        }
    }

    public func markReferenced(module: ModuleName, key: String, at time: Double) async throws {
        try await query(
            "UPDATE module_versions SET first_referenced_at = $1 WHERE module_name = $2 AND version_key = $3 AND first_referenced_at IS NULL",
            [.timestamp(time), .text(module.value), .text(key)])
    }

    public func isDigestReferenced(_ digest: ContentDigest) async throws -> Bool {
        try await !query("SELECT 1 FROM module_versions WHERE digest = $1 LIMIT 1", [.text(digest.description)]).isEmpty
    }

    public func collectBlob(
        _ digest: ContentDigest, intentsStartedAfter cutoff: Double, delete: @escaping @Sendable () async throws -> Void
    ) async throws -> Bool {
        try await transaction { session in
            try await session.lock("blob:" + digest.hex)
            try await session.query(
                "DELETE FROM blob_upload_intents WHERE digest = $1 AND started_at <= $2", [.text(digest.description), .timestamp(cutoff)])
            let holders = try await session.query(
                """
                SELECT 1 FROM module_versions WHERE digest = $1 UNION ALL SELECT 1 FROM blob_upload_intents WHERE digest = $1 LIMIT 1
                """,
                [.text(digest.description)])
            guard holders.isEmpty else { return false }
            try await delete()
            return true
        }
    }

    // MARK: Rows

    func modules(_ rows: [SQLRow]) throws -> [ModuleRecord] {
        try decode(rows, table: "modules", key: ["name"]) { row in
            try ModuleRecord(
                name: row.required("name", ModuleName(try row.text("name"))), description: try row.text("description"),
                owner: try row.optionalText("owner"),
                createdBy: try row.text("created_by"), createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"),
                versionCount: try row.int("version_count"))
        }
    }

    func versions(_ rows: [SQLRow]) throws -> [(id: Int64, record: ModuleVersionRecord)] {
        try decode(rows, table: "module_versions", key: ["id"]) { row in
            let name = try row.required("module_name", ModuleName(try row.text("module_name")))
            let digest = try row.required("digest", ContentDigest(parsing: try row.text("digest")))
            let interface = try row.required("interface_json", InterfaceCoding.decode(try row.text("interface_json")))
            return (
                Int64(try row.int("id")),
                ModuleVersionRecord(
                    module: name, version: try row.text("version"), digest: digest, sizeBytes: try row.int("size_bytes"),
                    interface: interface, status: try row.value(VersionStatus.self, "status"), createdBy: try row.text("created_by"),
                    createdAt: try row.timestamp("created_at"), firstReferencedAt: try row.optionalTimestamp("first_referenced_at"))
            )
        }
    }
}
