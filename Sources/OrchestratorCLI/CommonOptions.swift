import ArgumentParser
import Configuration
import Foundation
import Logging
import OrchestratorApp
import OrchestratorConfig

/// Options every subcommand shares; they become the highest-precedence configuration layer.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory for the embedded database, blobs and generated secret (data.dir).")
    var dataDirectory: String?

    @Option(name: .customLong("config"), help: "JSON configuration file (also CONFIG_FILE).")
    var configFile: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (log.level).")
    var logLevel: String?

    /// Flags as dotted configuration keys.
    func flagValues() -> [String: String] {
        var values: [String: String] = [:]
        values["data.dir"] = dataDirectory
        values["log.level"] = logLevel
        return values
    }

    /// Reads and validates settings, printing the offending key and exiting 78 (EX_CONFIG) on error.
    func settings(extraFlags: [String: String] = [:]) async throws -> OrchestratorSettings {
        do {
            let reader = try await ConfigSources.reader(
                flags: flagValues().merging(extraFlags) { _, new in new },
                environment: ProcessInfo.processInfo.environment,
                configFile: configFile)
            return try OrchestratorSettings(reader: reader)
        } catch let error as ConfigurationError {
            Self.fail(error.description)
        }
    }

    /// Writes `message` to standard error and exits with EX_CONFIG.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("wasm-orchestrator: \(message)\n".utf8))
        Foundation.exit(78)
    }

    /// Logs go to standard error so stdout stays clean for command output.
    /// Each line logged inside a request carries its `request_id` (see ``LoggingBootstrap``).
    static func bootstrapLogging(level: String) -> Logger {
        LoggingBootstrap.bootstrap(level: level)
    }
}
