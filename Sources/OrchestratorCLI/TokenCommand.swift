import ArgumentParser
import Foundation
import Logging
import OrchestratorApp
import OrchestratorAuth
import OrchestratorConfig
import OrchestratorDomain

/// `token`: work with bearer tokens.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Issue bearer tokens (break-glass: needs the signing secret).", subcommands: [IssueTokenCommand.self])
}

/// `token issue --subject alice --role admin --ttl 1h`: print a token signed with the server's key.
///
/// This is the break-glass path: it needs only the signing key, bypasses the
/// API (no caller, no `act` claim, no admin check), and is audited nowhere but
/// in the shell of whoever ran it. Its lifetime is capped by the same
/// `auth.jwt.maxLifetimeSeconds` the server enforces on every token.
struct IssueTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Break-glass: print a token signed with the server's key, for whoever holds the signing secret.",
        discussion: """
            Anyone who can read the signing secret or private key (auth.jwt.secret, auth.jwt.privateKeyPath, or \
            the generated secret in the data dir) can mint any token with this command, including admin tokens: \
            it does not ask the server, carries no act claim and is not in the audit log. Use it to bootstrap \
            the first admin or to recover access; mint everyday tokens with POST /api/v1/wasm/auth/tokens, which \
            records who minted them. Revoke a token with DELETE /api/v1/wasm/auth/tokens/{jti}.

            --ttl may not exceed auth.jwt.maxLifetimeSeconds (default 30 days): the server would refuse such a token.
            --subject follows the token subject charset: 1 to 128 of A-Z a-z 0-9 . _ @ : + -
            """)

    @Option(help: "The token's subject (user, CI identity).")
    var subject: String

    @Option(help: "admin, deployer, viewer or agent.")
    var role: String

    @Option(help: "Lifetime, e.g. 30m, 1h, 7d. Default 1h; at most auth.jwt.maxLifetimeSeconds.")
    var ttl: String = "1h"

    @Option(help: "For --role agent: the node id the credential is bound to.")
    var node: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard Role(rawValue: role) != nil else { throw ValidationError("--role must be one of admin, deployer, viewer, agent") }
        guard DurationText.seconds(ttl) != nil else { throw ValidationError("--ttl must be a duration such as 30m, 1h or 7d") }
        guard TokenSubject.isValid(subject) else {
            throw ValidationError("--subject must be 1 to \(TokenSubject.maxLength) characters of A-Z a-z 0-9 . _ @ : + -")
        }
        if role == Role.agent.rawValue && node == nil { throw ValidationError("--role agent needs --node") }
    }

    func run() async throws {
        let settings = try await common.settings()
        let ttlSeconds = DurationText.seconds(ttl)!
        let maxLifetime = settings.auth.settings.maxLifetimeSeconds
        guard ttlSeconds <= maxLifetime else {
            CommonOptions.fail("--ttl \(ttl) is longer than auth.jwt.maxLifetimeSeconds (\(maxLifetime) s); the server would refuse the token")
        }
        if settings.auth.mayGenerateSecret, SecretBootstrap.load(dataDirectory: settings.dataDirectory) == nil {
            // Said on stderr so `TOKEN=$(…)` still captures only the token.
            FileHandle.standardError.write(
                Data(
                    ("wasm-orchestrator: no signing secret in \(settings.dataDirectory) yet; creating one. "
                        + "Start the server with the same --data-dir.\n").utf8))
        }
        do {
            print(try await Self.sign(settings: settings, subject: subject, role: Role(rawValue: role)!, node: node, ttlSeconds: ttlSeconds))
        } catch let error as InvalidKeyMaterialError {
            CommonOptions.fail("invalid configuration '\(error.key)': \(error.problem)")
        }
    }
}

extension IssueTokenCommand {
    /// A token signed with the key `settings` name (the generated embedded secret is created if allowed and missing).
    static func sign(settings: OrchestratorSettings, subject: String, role: Role, node: String? = nil, ttlSeconds: Int) async throws -> String {
        let silent = Logger(label: "token", factory: { _ in SwiftLogNoOpLogHandler() })
        let authSettings = try AuthBootstrap.resolve(settings.auth, dataDirectory: settings.dataDirectory, logger: silent)
        let issuer = try await TokenIssuer.make(settings: authSettings)
        return try await issuer.issue(subject: subject, role: role, node: node, ttlSeconds: ttlSeconds)
    }
}
