import Configuration
import SystemPackage

/// Builds the provider stack: flags > environment > config file > defaults.
public enum ConfigSources {
    /// - Parameters:
    ///   - flags: values given on the command line, keyed by dotted key.
    ///   - environment: the process environment (injectable for tests).
    ///   - configFile: a JSON file path (`--config` or `CONFIG_FILE`); missing file is an error.
    public static func reader(
        flags: [String: String],
        environment: [String: String],
        configFile: String?
    ) async throws -> ConfigReader {
        var providers: [any ConfigProvider] = []
        let flagValues = Dictionary(
            uniqueKeysWithValues: flags.map { key, value in
                (AbsoluteConfigKey(ConfigKey(key)), ConfigValue(.string(value), isSecret: false))
            })
        providers.append(InMemoryProvider(name: "flags", values: flagValues))
        providers.append(EnvironmentVariablesProvider(environmentVariables: environment))
        if let file = configFile ?? environment["CONFIG_FILE"] {
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
            } catch {
                throw ConfigurationError(key: "config.file", problem: "cannot load JSON config \(file): \(error)")
            }
        }
        return ConfigReader(providers: providers)
    }
}
