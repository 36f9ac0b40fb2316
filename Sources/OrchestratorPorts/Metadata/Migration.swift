import Foundation

/// One versioned SQL migration, read from `migrations/<dialect>/NNNN_name.sql`.
public struct Migration: Sendable, Hashable {
    /// The number before the first underscore; migrations apply in this order.
    public let version: Int
    /// The rest of the file name, without `.sql`.
    public let name: String
    /// The SQL text, which may hold several statements separated by `;`.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Parses a file name such as `0001_initial.sql` into version and name.
    public static func parseFileName(_ fileName: String) -> (version: Int, name: String)? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
            return nil
        }
        return (version, String(stem[stem.index(after: underscore)...]))
    }

    /// Splits SQL text into statements on `;` at line ends.
    ///
    /// Our migration files keep one statement per `;`-terminated block and
    /// use no procedural bodies, so a plain split is exact; SQLite's driver
    /// executes one statement per call.
    public var statements: [String] {
        sql.split(separator: ";\n", omittingEmptySubsequences: true)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
            .filter { !$0.isEmpty && !$0.allSatisfy { $0.isWhitespace } && !Self.isOnlyComments($0) }
    }

    private static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty || trimmed.hasPrefix("--")
        }
    }
}

/// A migration as recorded in `schema_migrations`.
public struct AppliedMigration: Sendable, Hashable {
    public let version: Int
    public let name: String
    /// Checksum (``MigrationChecksum``) of the SQL text when it was applied; a mismatch means someone edited an applied migration.
    public let checksum: String

    public init(version: Int, name: String, checksum: String) {
        self.version = version
        self.name = name
        self.checksum = checksum
    }
}

/// Raised when the database's recorded history and the shipped migrations disagree.
public enum MigrationError: Error, Sendable, Equatable {
    /// An applied migration's text changed after it was applied.
    case checksumMismatch(version: Int, name: String)
    /// Two files share a version number.
    case duplicateVersion(Int)
    /// A file name does not follow `NNNN_name.sql`.
    case badFileName(String)
}
