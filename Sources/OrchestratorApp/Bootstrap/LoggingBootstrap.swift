import Logging
import OrchestratorPorts

/// The process's logging: standard error (stdout stays clean for command output), and every
/// line logged while a request is handled carries its `request_id` (``RequestLogContext``).
public enum LoggingBootstrap {
    /// The metadata the server adds to every log line from the task's context.
    public static let metadataProvider = RequestLogContext.metadataProvider

    /// Installs the handler; call once per process, before the first `Logger` is made.
    public static func bootstrap(level: String) -> Logger {
        LoggingSystem.bootstrap(
            { label, provider in
                var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
                handler.logLevel = Logger.Level(rawValue: level) ?? .info
                return handler
            },
            metadataProvider: metadataProvider)
        return Logger(label: "wasm-orchestrator")
    }
}
