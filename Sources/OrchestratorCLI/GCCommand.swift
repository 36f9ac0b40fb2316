import ArgumentParser
import Foundation
import ModuleRegistry
import OrchestratorApp
import OrchestratorConfig

/// `gc`: delete blobs no module version references.
struct GCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete module blobs that no version references and that are older than the grace period.",
        discussion: """
            Safe to run while the server takes uploads: a blob an upload in flight will reference is never deleted \
            (see docs/modules.md). Prints a JSON report.
            """)

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Leave unreferenced blobs younger than this many seconds (default: modules.gcGraceSeconds, 3600).")
    var graceSeconds: Int?

    @Flag(name: .long, help: "Report what would be deleted without deleting.")
    var dryRun = false

    func run() async throws {
        let settings = try await common.settings()
        let logger = CommonOptions.bootstrapLogging(level: settings.logLevel)
        let backends: Backends
        do {
            backends = try await Backends.make(settings: settings, logger: logger)
        } catch let error as ConfigurationError {
            CommonOptions.fail(error.description)
        }
        let grace = Double(graceSeconds ?? settings.modules.gcGraceSeconds)
        guard grace >= 0 else { CommonOptions.fail("--grace-seconds must not be negative") }
        let registry = RegistryWiring(settings: settings, backends: backends, metrics: ServerMetrics().factory, logger: logger).registry
        let dryRun = self.dryRun
        let report = try await backends.withRunningServices { try await registry.collectGarbage(graceSeconds: grace, dryRun: dryRun) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}
