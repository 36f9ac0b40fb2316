import ArgumentParser
import Foundation
import Logging
import OrchestratorApp
import OrchestratorAuth
import OrchestratorConfig
import OrchestratorDomain

/// `token`: work with bearer tokens.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Issue bearer tokens.", subcommands: [IssueTokenCommand.self])
}

/// `token issue --subject alice --role admin --ttl 1h`: print a token signed with the server's key.
struct IssueTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "issue", abstract: "Print a signed token for a subject and role.")

    @Option(help: "The token's subject (user, CI identity).")
    var subject: String

    @Option(help: "admin, deployer, viewer or agent.")
    var role: String

    @Option(help: "Lifetime, e.g. 30m, 1h, 7d. Default 1h.")
    var ttl: String = "1h"

    @Option(help: "For --role agent: the node id the credential is bound to.")
    var node: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard Role(rawValue: role) != nil else { throw ValidationError("--role must be one of admin, deployer, viewer, agent") }
        guard DurationText.seconds(ttl) != nil else { throw ValidationError("--ttl must be a duration such as 30m, 1h or 7d") }
        guard !subject.isEmpty, subject.utf8.count <= 256 else { throw ValidationError("--subject must be 1 to 256 bytes") }
        if role == Role.agent.rawValue && node == nil { throw ValidationError("--role agent needs --node") }
    }

    func run() async throws {
        let settings = try await common.settings()
        let silent = Logger(label: "token", factory: { _ in SwiftLogNoOpLogHandler() })
        if settings.auth.mayGenerateSecret, SecretBootstrap.load(dataDirectory: settings.dataDirectory) == nil {
            // Said on stderr so `TOKEN=$(…)` still captures only the token.
            FileHandle.standardError.write(Data(
                "wasm-orchestrator: no signing secret in \(settings.dataDirectory) yet; creating one. Start the server with the same --data-dir.\n".utf8))
        }
        do {
            let authSettings = try AuthBootstrap.resolve(settings.auth, dataDirectory: settings.dataDirectory, logger: silent)
            let issuer = try await TokenIssuer.make(settings: authSettings)
            let token = try await issuer.issue(
                subject: subject, role: Role(rawValue: role)!, node: node, ttlSeconds: DurationText.seconds(ttl)!)
            print(token)
        } catch let error as InvalidKeyMaterialError {
            CommonOptions.fail("invalid configuration '\(error.key)': \(error.problem)")
        }
    }
}
