import Logging
import OrchestratorAuth
import OrchestratorConfig

/// Resolves the key material: configured, or generated in the data dir on the embedded default.
public enum AuthBootstrap {
    /// Settings with a secret filled in when the embedded default may generate one.
    /// Logs one line telling the operator how to get an admin token when it does.
    public static func resolve(_ configuration: AuthConfiguration, dataDirectory: String, logger: Logger) throws -> AuthSettings {
        var settings = configuration.settings
        guard configuration.mayGenerateSecret else { return settings }
        let (secret, created) = try SecretBootstrap.loadOrCreate(dataDirectory: dataDirectory)
        settings.secret = secret
        let hint = "swift run wasm-orchestrator token issue --subject admin --role admin --data-dir \(dataDirectory)"
        let secretFile = SecretBootstrap.secretFile(dataDirectory: dataDirectory)
        logger.notice(
            "\(created ? "generated a token signing secret" : "using the token signing secret") in \(secretFile); get an admin token with: \(hint)"
        )
        return settings
    }
}
