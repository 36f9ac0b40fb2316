import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where the client sends requests, and with which token.
public struct Credentials: Sendable, Equatable, Codable {
    public var address: String
    public var token: String

    public init(address: String, token: String) {
        self.address = address
        self.token = token
    }
}

/// The credentials file `login` writes: `$XDG_CONFIG_HOME/wasm-orchestrator/credentials.json`
/// (`~/.config/…` without `XDG_CONFIG_HOME`), mode 0600 in a 0700 directory.
///
/// `WASM_ORCHESTRATOR_ADDR` and `WASM_ORCHESTRATOR_TOKEN` override the file's values one by one, so a CI job
/// needs no file at all.
public struct CredentialStore: Sendable {
    public static let addressVariable = "WASM_ORCHESTRATOR_ADDR"
    public static let tokenVariable = "WASM_ORCHESTRATOR_TOKEN"
    public static let defaultAddress = "http://127.0.0.1:5000"

    public let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The credentials file's path.
    public var path: String {
        let base: String
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        }
        return base + "/wasm-orchestrator/credentials.json"
    }

    /// What the file holds, or `nil` when there is no file.
    public func stored() throws -> Credentials? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(Credentials.self, from: data)
        } catch {
            throw ClientError.notLoggedIn("\(path) is not a credentials file; run `wasm-orchestrator login` again")
        }
    }

    /// The credentials to use: flag, then environment, then file (the address defaults to the embedded server's).
    public func resolve(addressFlag: String? = nil) throws -> Credentials {
        let file = try stored()
        let address = addressFlag ?? variable(Self.addressVariable) ?? file?.address ?? Self.defaultAddress
        guard let token = variable(Self.tokenVariable) ?? file?.token, !token.isEmpty else {
            throw ClientError.notLoggedIn("not logged in: run `wasm-orchestrator login` or set \(Self.tokenVariable)")
        }
        return Credentials(address: address, token: token)
    }

    /// An environment variable's value; set but empty counts as unset (`WASM_ORCHESTRATOR_TOKEN= cmd`).
    public func variable(_ name: String) -> String? {
        environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Writes the file with mode 0600 (also when it existed with a wider mode), creating its directory 0700.
    public func save(_ credentials: Credentials) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(credentials)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ClientError.usage("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o600) == 0 else { throw ClientError.usage("cannot set the mode of \(path)") }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count else { throw ClientError.usage("cannot write \(path)") }
    }
}
