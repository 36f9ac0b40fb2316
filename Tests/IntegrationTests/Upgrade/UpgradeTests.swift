import Foundation
import OrchestratorPorts
import Testing

/// Upgrades keep data (issue 12): a database made with the migrations of the release being upgraded from,
/// filled and read through the API, then migrated to every bundled migration, reads back unchanged.
@Suite("Upgrades keep data", .serialized)
struct UpgradeTests {
    /// The last migration of the schema the database is filled on (0010 today: releases, which today's server needs to
    /// create deployments). Migrations numbered above it are the upgrade under test (0011, timestamps as `timestamptz`);
    /// while there are none, the test checks that a restart on the same database keeps everything. Raise it when a
    /// release ships, so the next upgrade starts from that release's schema.
    static let lastMigrationBeforeUpgrade = 10

    @Test(
        "a database made with the release's migrations and filled through the API reads back unchanged after all bundled migrations",
        arguments: MetadataBackend.available)
    func upgradeKeepsData(backend: MetadataBackend) async throws {
        try await UpgradeDatabase.with(backend) { database in
            let all = try database.bundledMigrations
            let old = all.filter { $0.version <= Self.lastMigrationBeforeUpgrade }
            #expect(old.map(\.version).last == Self.lastMigrationBeforeUpgrade, "the cutoff names a bundled migration")
            _ = try await database.withStore { try await $0.migrate(old) }
            try await database.writeEpochSeconds(true)

            let before = try await UpgradeServer.run(database, migrateOnStart: false) { client in
                try await UpgradeFill.fill(client)
                return try await UpgradeReadBack.read(client)
            }
            #expect(try await database.withStore { try await $0.appliedMigrations().map(\.version).sorted() } == old.map(\.version))
            try await database.writeEpochSeconds(false)

            let after = try await UpgradeServer.run(database, migrateOnStart: true) { try await UpgradeReadBack.read($0) }
            #expect(try await database.withStore { try await $0.appliedMigrations().map(\.version).sorted() } == all.map(\.version))

            #expect(before.count >= 39, "the read-back covers every kind of record (39 requests today): \(before.keys.sorted())")
            #expect(Set(after.keys) == Set(before.keys), "the same lists and items exist after the upgrade")
            for (request, body) in before.sorted(by: { $0.key < $1.key }) {
                #expect(after[request] == body, "\(request) changed:\nbefore \(body)\nafter  \(after[request] ?? "missing")")
            }
        }
    }
}
