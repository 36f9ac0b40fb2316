import ArgumentParser
import Hummingbird
import OrchestratorApp
import OrchestratorConfig

/// `serve` (the default): run the API server until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the API server (default).")

    @Option(name: .customLong("host"), help: "Address to bind (server.host). Default 127.0.0.1.")
    var host: String?

    @Option(name: .customLong("port"), help: "Port to listen on (server.port). Default 5000.")
    var port: Int?

    @OptionGroup var demo: DemoOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        try demo.validate()
    }

    func run() async throws {
        var flags: [String: String] = [:]
        flags["server.host"] = host
        flags["server.port"] = port.map(String.init)
        if demo.isOn {
            flags.merge(demo.configurationFlags(dataDirectoryGiven: common.dataDirectory != nil, logLevelGiven: common.logLevel != nil)) { $1 }
        }
        let settings = try await common.settings(extraFlags: flags)
        if demo.isOn, let problem = DemoOptions.embeddedOnlyProblem(settings) { CommonOptions.fail(problem) }
        let logger = CommonOptions.bootstrapLogging(level: settings.logLevel)
        do {
            let server = try await buildApplication(settings: settings, logger: logger)
            if demo.isOn {
                try await demo.run(server: server.application, settings: settings, logger: logger)
            } else {
                // Handles SIGTERM and SIGINT with a graceful shutdown of the server and every service.
                try await server.application.runService()
            }
        } catch let error as ConfigurationError {
            CommonOptions.fail(error.description)
        }
    }
}
