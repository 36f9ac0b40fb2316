/// Decides which migrations to apply, given what the database has recorded.
///
/// Shared by every ``MetadataStore`` so the rules are identical across dialects.
public enum MigrationPlan {
    /// The migrations still to apply, in version order.
    ///
    /// - Throws: ``MigrationError/duplicateVersion(_:)`` when two files share a
    ///   version, ``MigrationError/checksumMismatch(version:name:)`` when an
    ///   applied migration's text has changed since.
    public static func pending(available: [Migration], applied: [AppliedMigration]) throws -> [Migration] {
        var seen = Set<Int>()
        for migration in available where !seen.insert(migration.version).inserted {
            throw MigrationError.duplicateVersion(migration.version)
        }
        let appliedByVersion = Dictionary(uniqueKeysWithValues: applied.map { ($0.version, $0) })
        for migration in available {
            if let record = appliedByVersion[migration.version], record.checksum != MigrationChecksum.of(migration.sql) {
                throw MigrationError.checksumMismatch(version: migration.version, name: migration.name)
            }
        }
        return available.filter { appliedByVersion[$0.version] == nil }.sorted { $0.version < $1.version }
    }
}
