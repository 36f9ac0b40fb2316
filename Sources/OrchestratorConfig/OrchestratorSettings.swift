import Configuration
import Foundation
import OrchestratorAuth

/// Every setting the server reads, validated once at start-up.
///
/// Keys are dotted (`server.port`); the environment form is upper snake case
/// (`SERVER_PORT`); a JSON config file nests them (`{"server":{"port":5000}}`).
/// Precedence: command-line flags, then environment, then the config file,
/// then the defaults below. `docs/configuration.md` lists every key.
public struct OrchestratorSettings: Sendable {
    public var server: ServerSettings
    /// `data.dir` — where the embedded defaults keep their files. Default `./data`.
    public var dataDirectory: String
    public var database: DatabaseSettings
    public var cache: CacheSettings
    public var blobs: BlobSettings
    public var auth: AuthConfiguration
    public var modules: ModuleSettings
    public var nodes: NodeSettings
    public var deployments: DeploymentConfiguration
    public var rateLimits: RateLimitSettings
    /// The event stream and the outgoing webhooks.
    public var notifications: NotificationSettings
    /// `log.level` — trace, debug, info, notice, warning, error, critical. Default `info`.
    public var logLevel: String

    /// Reads and validates every key.
    ///
    /// - Throws: ``ConfigurationError`` naming the first bad or missing key.
    public init(reader: ConfigReader) throws {
        let values = ConfigValues(reader: reader)
        self.dataDirectory = values.string("data.dir") ?? "./data"
        self.server = try ServerSettings(values)
        self.database = try DatabaseSettings(values, dataDirectory: dataDirectory)
        self.cache = try CacheSettings(values)
        self.blobs = try BlobSettings(values, dataDirectory: dataDirectory)
        self.auth = try AuthConfiguration(values, embedded: database.postgresURL == nil)
        self.modules = try ModuleSettings(values, dataDirectory: dataDirectory)
        self.nodes = try NodeSettings(values)
        self.deployments = try DeploymentConfiguration(values)
        self.rateLimits = try RateLimitSettings(values, nodes: nodes)
        self.notifications = try NotificationSettings(values, environments: deployments.environments.keys.sorted())
        self.logLevel = values.string("log.level") ?? "info"
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(logLevel) else {
            throw ConfigurationError(key: "log.level", problem: "'\(logLevel)' is not one of \(levels.joined(separator: ", "))")
        }
    }
}
