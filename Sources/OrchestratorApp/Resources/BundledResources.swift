import OrchestratorPorts

/// Files compiled into the binary: migrations, the OpenAPI document and the web console.
///
/// `migrations/`, `openapi.yaml` and `console/` at the repository root are the sources;
/// the `EmbedResources` build plugin turns them into string literals, so the
/// executable needs no resource bundle next to it.
public enum BundledResources {
    /// The SQL dialects with a migrations directory.
    public enum Dialect: String, Sendable {
        case postgres
        case sqlite
    }

    /// Every migration for `dialect`, sorted by version.
    ///
    /// - Throws: ``MigrationError/badFileName(_:)`` for a file not named `NNNN_name.sql`.
    public static func migrations(for dialect: Dialect) throws -> [Migration] {
        let prefix = "migrations/\(dialect.rawValue)/"
        return try EmbeddedResources.files.filter { $0.key.hasPrefix(prefix) }.map { path, sql in
            let file = String(path.dropFirst(prefix.count))
            guard let (version, name) = Migration.parseFileName(file) else { throw MigrationError.badFileName(file) }
            return Migration(version: version, name: name, sql: sql)
        }.sorted { $0.version < $1.version }
    }

    /// The OpenAPI 3.1 document.
    public static func openAPIDocument() -> String {
        EmbeddedResources.files["openapi.yaml"] ?? ""
    }

    /// The web console's files (`console/` at the repository root), keyed by their path below it (`index.html`, `js/app.js`).
    public static func consoleFiles() -> [String: String] {
        let prefix = "console/"
        let files = EmbeddedResources.files.filter { $0.key.hasPrefix(prefix) }
        return Dictionary(uniqueKeysWithValues: files.map { (String($0.key.dropFirst(prefix.count)), $0.value) })
    }
}
