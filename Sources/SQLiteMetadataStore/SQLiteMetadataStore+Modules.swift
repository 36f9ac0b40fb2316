import OrchestratorDomain
import OrchestratorPorts
import SQLiteNIO

/// The module registry on SQLite. Every write runs in `BEGIN IMMEDIATE`
/// under the store's single-connection mutex, which also serialises
/// ``collectBlob(_:intentsStartedAfter:delete:)`` with uploads.
extension SQLiteMetadataStore {
    static let versionColumns = """
        module_name, version, digest, size_bytes, interface_json, status, created_by, created_at, first_referenced_at
        """

    public func module(named name: ModuleName) async throws -> ModuleRecord? {
        try await run(Self.moduleSelect + " WHERE m.name = ?", [.text(name.value)]).first.flatMap(Self.moduleRecord)
    }

    public func modules(_ query: ModuleQuery) async throws -> Page<ModuleRecord, String> {
        let rows = try await run(
            Self.moduleSelect + """
                 WHERE (?1 IS NULL OR substr(m.name, 1, length(?1)) = ?1)
                   AND (?2 IS NULL OR m.name > ?2)
                   AND (?3 IS NULL OR EXISTS (SELECT 1 FROM module_versions v WHERE v.module_name = m.name AND v.kind = ?3))
                   AND (?4 IS NULL OR EXISTS (SELECT 1 FROM module_versions v WHERE v.module_name = m.name AND v.status = ?4))
                 ORDER BY m.name LIMIT ?5
                """,
            [Self.optional(query.namePrefix), Self.optional(query.afterName), Self.optional(query.kind?.rawValue),
             Self.optional(query.status?.rawValue), .integer(query.limit + 1)])
        let records = rows.compactMap(Self.moduleRecord)
        let page = Array(records.prefix(query.limit))
        return Page(items: page, next: records.count > query.limit ? page.last?.name.value : nil)
    }

    public func version(of module: ModuleName, key: String) async throws -> ModuleVersionRecord? {
        try await run(
            "SELECT id, \(Self.versionColumns) FROM module_versions WHERE module_name = ? AND version_key = ?",
            [.text(module.value), .text(key)]
        ).first.flatMap(Self.versionRecord)?.record
    }

    public func versions(_ query: VersionQuery) async throws -> Page<ModuleVersionRecord, Int64> {
        let rows = try await run(
            """
            SELECT id, \(Self.versionColumns) FROM module_versions
            WHERE module_name = ?1 AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR status = ?3) AND (?4 IS NULL OR id < ?4)
            ORDER BY id DESC LIMIT ?5
            """,
            [.text(query.module.value), Self.optional(query.kind?.rawValue), Self.optional(query.status?.rawValue),
             query.afterPosition.map { .integer(Int($0)) } ?? .null, .integer(query.limit + 1)])
        let records = rows.compactMap(Self.versionRecord)
        let page = Array(records.prefix(query.limit))
        return Page(items: page.map(\.record), next: records.count > query.limit ? page.last?.id : nil)
    }

    public func beginUpload(digest: ContentDigest, at time: Double) async throws -> UploadIntent {
        let rows = try await transaction { connection in
            try await connection.query(
                "INSERT INTO blob_upload_intents (digest, started_at) VALUES (?, ?) RETURNING id",
                [.text(digest.description), .float(time)])
        }
        guard let id = rows.first?.column("id")?.integer else { throw SQLiteCatalogError.missingRow("blob_upload_intents") }
        return UploadIntent(id: Int64(id), digest: digest)
    }

    public func abandonUpload(_ intent: UploadIntent) async throws {
        _ = try await run("DELETE FROM blob_upload_intents WHERE id = ?", [.integer(Int(intent.id))])
    }

    public func register(_ registration: VersionRegistration, intent: UploadIntent?, audit: AuditEvent) async throws -> RegistrationOutcome {
        let interfaceJSON = try InterfaceCoding.encode(registration.interface)
        let key = registration.version.identityKey
        return try await transaction { connection in
            if let intent {
                _ = try await connection.query("DELETE FROM blob_upload_intents WHERE id = ?", [.integer(Int(intent.id))])
            }
            let existing = try await connection.query(
                "SELECT id, \(Self.versionColumns) FROM module_versions WHERE module_name = ? AND version_key = ?",
                [.text(registration.module.value), .text(key)])
            if let record = existing.first.flatMap(Self.versionRecord)?.record { return .existing(record) }
            _ = try await connection.query(
                """
                INSERT INTO modules (name, description, owner, created_by, created_at, updated_at) VALUES (?1, COALESCE(?2, ''), ?3, ?4, ?5, ?5)
                ON CONFLICT (name) DO UPDATE SET description = COALESCE(?2, modules.description),
                    owner = COALESCE(?3, modules.owner), updated_at = ?5
                """,
                [.text(registration.module.value), Self.optional(registration.description), Self.optional(registration.owner),
                 .text(registration.createdBy), .float(registration.createdAt)])
            let inserted = try await connection.query(
                """
                INSERT INTO module_versions (module_name, version, version_key, digest, size_bytes, kind, interface_json, status, created_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id, \(Self.versionColumns)
                """,
                [.text(registration.module.value), .text(registration.versionText), .text(key), .text(registration.blob.digest.description),
                 .integer(registration.blob.sizeBytes), .text(registration.interface.kind.rawValue), .text(interfaceJSON),
                 .text(registration.createdBy), .float(registration.createdAt)])
            guard let record = inserted.first.flatMap(Self.versionRecord)?.record else { throw SQLiteCatalogError.missingRow("module_versions") }
            try await Self.insertAudit(audit, on: connection)
            return .created(record)
        }
    }

    public func setStatus(
        module: ModuleName, key: String, expected: VersionStatus, to status: VersionStatus, audit: AuditEvent
    ) async throws -> ModuleVersionRecord? {
        try await transaction { connection in
            let rows = try await connection.query(
                """
                UPDATE module_versions SET status = ?, status_changed_at = ?
                WHERE module_name = ? AND version_key = ? AND status = ? RETURNING id, \(Self.versionColumns)
                """,
                [.text(status.rawValue), .float(audit.occurredAt), .text(module.value), .text(key), .text(expected.rawValue)])
            guard let record = rows.first.flatMap(Self.versionRecord)?.record else { return nil }
            try await Self.insertAudit(audit, on: connection)
            return record
        }
    }

    public func deleteVersion(module: ModuleName, key: String, audit: AuditEvent) async throws -> VersionDeletionOutcome {
        try await transaction { connection in
            let rows = try await connection.query(
                "SELECT id, \(Self.versionColumns) FROM module_versions WHERE module_name = ? AND version_key = ?",
                [.text(module.value), .text(key)])
            guard let record = rows.first.flatMap(Self.versionRecord)?.record else { return .notFound }
            guard record.firstReferencedAt == nil else { return .referenced(record) }
            _ = try await connection.query(
                "DELETE FROM module_versions WHERE module_name = ? AND version_key = ?", [.text(module.value), .text(key)])
            try await Self.insertAudit(audit, on: connection)
            return .deleted(record)
        }
    }

    public func markReferenced(module: ModuleName, key: String, at time: Double) async throws {
        _ = try await run(
            "UPDATE module_versions SET first_referenced_at = ? WHERE module_name = ? AND version_key = ? AND first_referenced_at IS NULL",
            [.float(time), .text(module.value), .text(key)])
    }

    public func isDigestReferenced(_ digest: ContentDigest) async throws -> Bool {
        try await !run("SELECT 1 FROM module_versions WHERE digest = ? LIMIT 1", [.text(digest.description)]).isEmpty
    }

    public func collectBlob(
        _ digest: ContentDigest, intentsStartedAfter cutoff: Double, delete: @escaping @Sendable () async throws -> Void
    ) async throws -> Bool {
        try await transaction { connection in
            _ = try await connection.query(
                "DELETE FROM blob_upload_intents WHERE digest = ? AND started_at <= ?", [.text(digest.description), .float(cutoff)])
            let holders = try await connection.query(
                """
                SELECT 1 FROM module_versions WHERE digest = ?1
                UNION ALL SELECT 1 FROM blob_upload_intents WHERE digest = ?1 LIMIT 1
                """,
                [.text(digest.description)])
            guard holders.isEmpty else { return false }
            try await delete()
            return true
        }
    }

    // MARK: Rows

    static let moduleSelect = """
        SELECT m.name, m.description, m.owner, m.created_by, m.created_at, m.updated_at,
               (SELECT COUNT(*) FROM module_versions v WHERE v.module_name = m.name) AS version_count
        FROM modules m
        """

    static func moduleRecord(_ row: SQLiteRow) -> ModuleRecord? {
        guard let name = row.column("name")?.string.flatMap(ModuleName.init) else { return nil }
        return ModuleRecord(
            name: name, description: row.column("description")?.string ?? "", owner: row.column("owner")?.string,
            createdBy: row.column("created_by")?.string ?? "", createdAt: row.column("created_at")?.double ?? 0,
            updatedAt: row.column("updated_at")?.double ?? 0, versionCount: row.column("version_count")?.integer ?? 0)
    }

    static func versionRecord(_ row: SQLiteRow) -> (id: Int64, record: ModuleVersionRecord)? {
        guard let id = row.column("id")?.integer,
              let module = row.column("module_name")?.string.flatMap(ModuleName.init),
              let digest = row.column("digest")?.string.flatMap(ContentDigest.init(parsing:)),
              let interface = row.column("interface_json")?.string.flatMap(InterfaceCoding.decode),
              let status = row.column("status")?.string.flatMap(VersionStatus.init(rawValue:))
        else { return nil }
        let record = ModuleVersionRecord(
            module: module, version: row.column("version")?.string ?? "", digest: digest,
            sizeBytes: row.column("size_bytes")?.integer ?? 0, interface: interface, status: status,
            createdBy: row.column("created_by")?.string ?? "", createdAt: row.column("created_at")?.double ?? 0,
            firstReferencedAt: row.column("first_referenced_at")?.double)
        return (Int64(id), record)
    }

    static func insertAudit(_ event: AuditEvent, on connection: SQLiteConnection) async throws {
        _ = try await connection.query(
            """
            INSERT INTO audit_events (actor, action, target, outcome, request_id, occurred_at, actor_role, source_address, actor_chain)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(event.actor), .text(event.action), .text(event.target), .text(event.outcome.rawValue),
             optional(event.requestID), .float(event.occurredAt), optional(event.role), optional(event.sourceAddress),
             optional(AuditActors.encode(event.actors))])
    }

    static func optional(_ text: String?) -> SQLiteData {
        text.map { .text($0) } ?? .null
    }
}

/// A statement that must return a row did not (a bug, never user input).
enum SQLiteCatalogError: Error {
    case missingRow(String)
}
