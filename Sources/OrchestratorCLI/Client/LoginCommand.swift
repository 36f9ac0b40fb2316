import ArgumentParser
import Foundation
import OrchestratorClient

/// `login`: check a token with `GET /auth/whoami` and store it with the address in the 0600 credentials file.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Store the server address and a token (checked with GET /auth/whoami) for the other commands.",
        discussion: """
            The token is read from standard input when it is piped (`wasm-orchestrator login < token.txt`), else \
            asked for without echo. It is written, with the address, to \
            $XDG_CONFIG_HOME/wasm-orchestrator/credentials.json (~/.config/… without XDG_CONFIG_HOME), mode 0600. \
            \(CredentialStore.addressVariable) and \(CredentialStore.tokenVariable) override the file.
            """)

    @OptionGroup var options: ClientOptions

    @Option(help: "The token itself. Avoid it: it leaks into shell history and `ps`; pipe the token on standard input instead.")
    var token: String?

    func run() async throws {
        let store = CredentialStore()
        let address =
            options.address ?? store.variable(CredentialStore.addressVariable) ?? (try? store.stored())?.address
            ?? CredentialStore.defaultAddress
        guard let secret = (token ?? Terminal.readSecret(prompt: "Token for \(address): "))?.trimmingCharacters(in: .whitespacesAndNewlines),
            !secret.isEmpty
        else {
            ClientOptions.report(.usage("no token given: pipe it on standard input or type it at the prompt"))
        }
        let credentials = Credentials(address: address, token: secret)
        do {
            let response = try await APIClient(credentials: credentials).send(.GET, "/auth/whoami")
            try store.save(credentials)
            try options.output.print(response) { identity in
                "Logged in to \(address) as \(identity["subject"]?.cellText ?? "?") (\(identity["role"]?.cellText ?? "?"))"
                    + (identity["expiresAt"]?.stringValue.map { ", token expires \(TerminalText.printable($0))" } ?? "")
                    + "\nCredentials saved in \(store.path)\n"
            }
        } catch let error as ClientError {
            ClientOptions.report(error)
        }
    }
}
