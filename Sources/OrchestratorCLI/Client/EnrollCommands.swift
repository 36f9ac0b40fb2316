import ArgumentParser
import OrchestratorClient

/// `enroll token create`.
struct EnrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll", abstract: "Enrollment tokens, with which new edge nodes register.", subcommands: [EnrollTokenCommand.self])
}

struct EnrollTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create enrollment tokens.", subcommands: [EnrollTokenCreateCommand.self])
}

struct EnrollTokenCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create an enrollment token (admin); the secret is shown once.",
        discussion: "The table output puts the secret token alone on the first line, so `| head -1` captures it; -o json has it in `token`.")

    @OptionGroup var options: ClientOptions
    @Option(help: "Registrations it allows (default 1).") var maxUses: Int?
    @Option(help: "Lifetime in seconds (default 86400).") var expiresInSeconds: Int?
    @Option(help: "Only nodes registering with this region may use it.") var region: String?
    @Option(help: "The environment of the nodes it registers (default production).") var environment: String?
    @Option(name: .customLong("label"), help: "Trusted label KEY=VALUE given to its nodes (repeatable).") var labels: [String] = []
    @Option(help: "Free text.") var description: String?

    func run() async throws {
        let labelObject = try KeyValues.object(labels, flag: "--label", splittingCommas: true)
        let body: [String: JSONValue?] = [
            "maxUses": maxUses.map { .number(Double($0)) }, "expiresInSeconds": expiresInSeconds.map { .number(Double($0)) },
            "region": region.map(JSONValue.string), "environment": environment.map(JSONValue.string),
            "labels": labelObject, "description": description.map(JSONValue.string),
        ]
        try await options.run { client in
            let response = try await client.send(.POST, "/enrollment-tokens", json: .object(body.compactMapValues { $0 }))
            try options.output.print(response) { token in
                (token["token"]?.cellText ?? "") + "\n"
                    + FieldList(
                        [("id", "id"), ("environment", "environment"), ("region", "region"), ("max uses", "maxUses"), ("expires", "expiresAt")],
                        item: token
                    ).rendered()
            }
        }
    }
}
