import Logging
import OrchestratorDomain
import OrchestratorPorts
import PostgresNIO

/// The module registry on PostgreSQL.
///
/// Uploads and garbage collection of the same digest serialise on a
/// transaction-scoped advisory lock keyed by the digest, so a blob is never
/// deleted while an upload that will reference it is in flight.
extension PostgresMetadataStore {
    static let versionColumns = """
        id, module_name, version, digest, size_bytes, interface_json, status, created_by, created_at, first_referenced_at
        """

    public func module(named name: ModuleName) async throws -> ModuleRecord? {
        let logger = self.logger
        return try await guarded { [client] in
            let rows = try await client.query("\(unescaped: Self.moduleSelect) WHERE m.name = \(name.value)", logger: logger)
            return try await Self.moduleRecords(rows).first
        }
    }

    public func modules(_ query: ModuleQuery) async throws -> Page<ModuleRecord, String> {
        let logger = self.logger
        let records = try await guarded { [client] in
            let prefix = query.namePrefix, after = query.afterName, kind = query.kind?.rawValue, status = query.status?.rawValue
            let rows = try await client.query(
                """
                \(unescaped: Self.moduleSelect)
                WHERE (\(prefix)::text IS NULL OR left(m.name, length(\(prefix)::text)) = \(prefix)::text)
                  AND (\(after)::text IS NULL OR m.name COLLATE "C" > \(after)::text)
                  AND (\(kind)::text IS NULL OR EXISTS (SELECT 1 FROM module_versions v WHERE v.module_name = m.name AND v.kind = \(kind)::text))
                  AND (\(status)::text IS NULL OR EXISTS (SELECT 1 FROM module_versions v WHERE v.module_name = m.name AND v.status = \(status)::text))
                ORDER BY m.name COLLATE "C" LIMIT \(query.limit + 1)
                """,
                logger: logger)
            return try await Self.moduleRecords(rows)
        }
        let page = Array(records.prefix(query.limit))
        return Page(items: page, next: records.count > query.limit ? page.last?.name.value : nil)
    }

    public func version(of module: ModuleName, key: String) async throws -> ModuleVersionRecord? {
        let logger = self.logger
        return try await guarded { [client] in
            let rows = try await client.query(
                "SELECT \(unescaped: Self.versionColumns) FROM module_versions WHERE module_name = \(module.value) AND version_key = \(key)",
                logger: logger)
            return try await Self.versionRecords(rows).first?.record
        }
    }

    public func versions(_ query: VersionQuery) async throws -> Page<ModuleVersionRecord, Int64> {
        let logger = self.logger
        let records = try await guarded { [client] in
            let kind = query.kind?.rawValue, status = query.status?.rawValue, after = query.afterPosition
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.versionColumns) FROM module_versions
                WHERE module_name = \(query.module.value) AND (\(kind)::text IS NULL OR kind = \(kind)::text)
                  AND (\(status)::text IS NULL OR status = \(status)::text) AND (\(after)::bigint IS NULL OR id < \(after)::bigint)
                ORDER BY id DESC LIMIT \(query.limit + 1)
                """,
                logger: logger)
            return try await Self.versionRecords(rows)
        }
        let page = Array(records.prefix(query.limit))
        return Page(items: page.map(\.record), next: records.count > query.limit ? page.last?.id : nil)
    }

    public func beginUpload(digest: ContentDigest, at time: Double) async throws -> UploadIntent {
        let logger = self.logger
        let id = try await guarded { [client] in
            try await client.withTransaction(logger: logger) { connection -> Int64 in
                try await Self.lockDigest(digest, on: connection, logger: logger)
                let rows = try await connection.query(
                    "INSERT INTO blob_upload_intents (digest, started_at) VALUES (\(digest.description), \(time)) RETURNING id",
                    logger: logger)
                for try await id in rows.decode(Int64.self) { return id }
                throw PostgresCatalogError.missingRow("blob_upload_intents")
            }
        }
        return UploadIntent(id: id, digest: digest)
    }

    public func abandonUpload(_ intent: UploadIntent) async throws {
        let logger = self.logger
        try await guarded { [client] in
            try await client.query("DELETE FROM blob_upload_intents WHERE id = \(intent.id)", logger: logger)
        }
    }

    public func register(_ registration: VersionRegistration, intent: UploadIntent?, audit: AuditEvent) async throws -> RegistrationOutcome {
        let logger = self.logger
        let interfaceJSON = try InterfaceCoding.encode(registration.interface)
        let key = registration.version.identityKey
        let name = registration.module.value
        return try await guarded { [client] in
            try await client.withTransaction(logger: logger) { connection -> RegistrationOutcome in
                if let intent {
                    try await connection.query("DELETE FROM blob_upload_intents WHERE id = \(intent.id)", logger: logger)
                }
                try await connection.query(
                    """
                    INSERT INTO modules (name, description, owner, created_by, created_at, updated_at)
                    VALUES (\(name), COALESCE(\(registration.description), ''), \(registration.owner), \(registration.createdBy),
                            \(registration.createdAt), \(registration.createdAt))
                    ON CONFLICT (name) DO NOTHING
                    """,
                    logger: logger)
                let inserted = try await Self.versionRecords(connection.query(
                    """
                    INSERT INTO module_versions (module_name, version, version_key, digest, size_bytes, kind, interface_json, status, created_by, created_at)
                    VALUES (\(name), \(registration.versionText), \(key), \(registration.blob.digest.description), \(Int64(registration.blob.sizeBytes)),
                            \(registration.interface.kind.rawValue), \(interfaceJSON), 'active', \(registration.createdBy), \(registration.createdAt))
                    ON CONFLICT (module_name, version_key) DO NOTHING
                    RETURNING \(unescaped: Self.versionColumns)
                    """,
                    logger: logger))
                guard let created = inserted.first?.record else {
                    let existing = try await Self.versionRecords(connection.query(
                        "SELECT \(unescaped: Self.versionColumns) FROM module_versions WHERE module_name = \(name) AND version_key = \(key)",
                        logger: logger))
                    guard let record = existing.first?.record else { throw PostgresCatalogError.missingRow("module_versions") }
                    return .existing(record)
                }
                try await connection.query(
                    """
                    UPDATE modules SET description = COALESCE(\(registration.description), description),
                        owner = COALESCE(\(registration.owner), owner), updated_at = \(registration.createdAt)
                    WHERE name = \(name)
                    """,
                    logger: logger)
                try await Self.insertAudit(audit, on: connection, logger: logger)
                return .created(created)
            }
        }
    }

    public func setStatus(
        module: ModuleName, key: String, expected: VersionStatus, to status: VersionStatus, audit: AuditEvent
    ) async throws -> ModuleVersionRecord? {
        let logger = self.logger
        return try await guarded { [client] in
            try await client.withTransaction(logger: logger) { connection -> ModuleVersionRecord? in
                let rows = try await Self.versionRecords(connection.query(
                    """
                    UPDATE module_versions SET status = \(status.rawValue), status_changed_at = \(audit.occurredAt)
                    WHERE module_name = \(module.value) AND version_key = \(key) AND status = \(expected.rawValue)
                    RETURNING \(unescaped: Self.versionColumns)
                    """,
                    logger: logger))
                guard let record = rows.first?.record else { return nil }
                try await Self.insertAudit(audit, on: connection, logger: logger)
                return record
            }
        }
    }

    public func deleteVersion(module: ModuleName, key: String, audit: AuditEvent) async throws -> VersionDeletionOutcome {
        let logger = self.logger
        return try await guarded { [client] in
            try await client.withTransaction(logger: logger) { connection -> VersionDeletionOutcome in
                let rows = try await Self.versionRecords(connection.query(
                    """
                    SELECT \(unescaped: Self.versionColumns) FROM module_versions
                    WHERE module_name = \(module.value) AND version_key = \(key) FOR UPDATE
                    """,
                    logger: logger))
                guard let record = rows.first?.record else { return .notFound }
                guard record.firstReferencedAt == nil else { return .referenced(record) }
                try await connection.query(
                    "DELETE FROM module_versions WHERE module_name = \(module.value) AND version_key = \(key)", logger: logger)
                try await Self.insertAudit(audit, on: connection, logger: logger)
                return .deleted(record)
            }
        }
    }

    public func markReferenced(module: ModuleName, key: String, at time: Double) async throws {
        let logger = self.logger
        try await guarded { [client] in
            try await client.query(
                """
                UPDATE module_versions SET first_referenced_at = \(time)
                WHERE module_name = \(module.value) AND version_key = \(key) AND first_referenced_at IS NULL
                """,
                logger: logger)
        }
    }

    public func isDigestReferenced(_ digest: ContentDigest) async throws -> Bool {
        let logger = self.logger
        return try await guarded { [client] in
            try await !client.query(
                "SELECT 1 FROM module_versions WHERE digest = \(digest.description) LIMIT 1", logger: logger
            ).collect().isEmpty
        }
    }

    public func collectBlob(
        _ digest: ContentDigest, intentsStartedAfter cutoff: Double, delete: @escaping @Sendable () async throws -> Void
    ) async throws -> Bool {
        let logger = self.logger
        return try await guarded { [client] in
            try await client.withTransaction(logger: logger) { connection -> Bool in
                try await Self.lockDigest(digest, on: connection, logger: logger)
                try await connection.query(
                    "DELETE FROM blob_upload_intents WHERE digest = \(digest.description) AND started_at <= \(cutoff)", logger: logger)
                let holders = try await connection.query(
                    """
                    SELECT 1 FROM module_versions WHERE digest = \(digest.description)
                    UNION ALL SELECT 1 FROM blob_upload_intents WHERE digest = \(digest.description) LIMIT 1
                    """,
                    logger: logger
                ).collect()
                guard holders.isEmpty else { return false }
                try await delete()
                return true
            }
        }
    }

    // MARK: Rows

    static func lockDigest(_ digest: ContentDigest, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\("blob:" + digest.hex), 0))", logger: logger)
    }

    static let moduleSelect = """
        SELECT m.name, m.description, m.owner, m.created_by, m.created_at, m.updated_at,
               (SELECT COUNT(*) FROM module_versions v WHERE v.module_name = m.name) AS version_count
        FROM modules m
        """

    static func moduleRecords(_ rows: PostgresRowSequence) async throws -> [ModuleRecord] {
        var records: [ModuleRecord] = []
        for try await (name, description, owner, createdBy, createdAt, updatedAt, count) in rows.decode(
            (String, String, String?, String, Double, Double, Int64).self)
        {
            guard let moduleName = ModuleName(name) else { continue }
            records.append(ModuleRecord(
                name: moduleName, description: description, owner: owner, createdBy: createdBy,
                createdAt: createdAt, updatedAt: updatedAt, versionCount: Int(count)))
        }
        return records
    }

    static func versionRecords(_ rows: PostgresRowSequence) async throws -> [(id: Int64, record: ModuleVersionRecord)] {
        var records: [(id: Int64, record: ModuleVersionRecord)] = []
        for try await (id, module, version, digest, size, interfaceJSON, status, createdBy, createdAt, referencedAt) in rows.decode(
            (Int64, String, String, String, Int64, String, String, String, Double, Double?).self)
        {
            guard let name = ModuleName(module), let digest = ContentDigest(parsing: digest),
                  let interface = InterfaceCoding.decode(interfaceJSON), let status = VersionStatus(rawValue: status)
            else { continue }
            records.append((id, ModuleVersionRecord(
                module: name, version: version, digest: digest, sizeBytes: Int(size), interface: interface, status: status,
                createdBy: createdBy, createdAt: createdAt, firstReferencedAt: referencedAt)))
        }
        return records
    }

    static func insertAudit(_ event: AuditEvent, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO audit_events (actor, action, target, outcome, request_id, occurred_at, actor_role, source_address, actor_chain)
            VALUES (\(event.actor), \(event.action), \(event.target), \(event.outcome.rawValue), \(event.requestID), \(event.occurredAt),
                    \(event.role), \(event.sourceAddress), \(AuditActors.encode(event.actors)))
            """,
            logger: logger)
    }
}

/// A statement that must return a row did not (a bug, never user input).
enum PostgresCatalogError: Error {
    case missingRow(String)
}
