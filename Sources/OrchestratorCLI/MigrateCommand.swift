import ArgumentParser
import Foundation
import OrchestratorApp
import OrchestratorConfig
import OrchestratorPorts

/// `migrate`: apply pending migrations and exit.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending database migrations and exit.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try await common.settings()
        let logger = CommonOptions.bootstrapLogging(level: settings.logLevel)
        let backends: Backends
        do {
            backends = try await Backends.make(settings: settings, logger: logger)
        } catch let error as ConfigurationError {
            CommonOptions.fail(error.description)
        }
        let migrations = try BundledResources.migrations(for: backends.dialect)
        let applied = try await backends.withRunningServices { try await backends.metadata.migrate(migrations) }
        print(applied.isEmpty ? "schema is current; nothing to apply" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
    }
}
