import ArgumentParser
import OrchestratorClient

/// `module push|list|show|yank`.
struct ModuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "module", abstract: "Register, list, inspect and yank module versions.",
        subcommands: [ModulePushCommand.self, ModuleListCommand.self, ModuleShowCommand.self, ModuleYankCommand.self])
}

/// The columns of a module version, shared by `push` and `show NAME VERSION`.
let versionFields = [
    ("name", "name"), ("version", "version"), ("digest", "digest"), ("size", "sizeBytes"), ("kind", "kind"), ("status", "status"),
    ("created by", "createdBy"), ("created at", "createdAt"),
]

struct ModulePushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push", abstract: "Upload a module version (streamed; a progress bar when standard error is a terminal).")

    @OptionGroup var options: ClientOptions
    @Argument(help: "Module name.") var name: String
    @Argument(help: "Semantic version, e.g. 1.2.0.") var version: String
    @Argument(help: "The .wasm file.") var file: String
    @Option(help: "Module description (stored when this upload creates the module's version).") var description: String?
    @Option(help: "Owning person or team.") var owner: String?
    @Option(help: "Comma-separated exports the binary must have.") var requiredExports: String?
    @Option(help: "Idempotency-Key, so that a retried upload is answered once.") var idempotencyKey: String?

    func run() async throws {
        try await options.run { client in
            let bar = ProgressBar(label: "\(name)@\(version)")
            let response = try await client.upload(
                "/modules/\(APIClient.encode(name))/versions/\(APIClient.encode(version))", file: file,
                query: [("description", description), ("owner", owner), ("requiredExports", requiredExports)],
                headers: idempotencyKey.map { [("Idempotency-Key", $0)] } ?? []
            ) { sent, total in bar.update(sent: sent, total: total) }
            bar.finish()
            try options.output.print(response) { item in
                (response.status == 201 ? "registered\n" : "already registered (same content)\n") + FieldList(versionFields, item: item).rendered()
            }
        }
    }
}

struct ModuleListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List modules.")

    @OptionGroup var options: ClientOptions
    @Option(help: "Only names starting with this.") var prefix: String?
    @OptionGroup var page: PageOptions

    func run() async throws {
        try await options.list(
            "/modules", query: [("namePrefix", prefix)], page: page, key: "modules",
            columns: [("NAME", "name"), ("VERSIONS", "versionCount"), ("OWNER", "owner"), ("UPDATED", "updatedAt"), ("DESCRIPTION", "description")])
    }
}

struct ModuleShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a module and its versions, or one version (exports, imports, digest).")

    @OptionGroup var options: ClientOptions
    @Argument(help: "Module name.") var name: String
    @Argument(help: "A version; without it, the module and its versions.") var version: String?

    func run() async throws {
        try await options.run { client in
            let path = "/modules/\(APIClient.encode(name))"
            if let version {
                let response = try await client.send(.GET, path + "/versions/\(APIClient.encode(version))")
                try options.output.print(response) { item in
                    FieldList(versionFields + [("exports", "exports"), ("imports", "imports"), ("referenced", "referenced")], item: item).rendered()
                }
                return
            }
            let module = try await client.send(.GET, path)
            guard options.output == .table else { return try options.output.print(module) { _ in "" } }
            let versions = try await client.send(.GET, path + "/versions", query: [("limit", "200")]).json()
            let head = FieldList(
                [("name", "name"), ("description", "description"), ("owner", "owner"), ("created by", "createdBy"), ("versions", "versionCount")],
                item: try module.json())
            let table = TextTable(
                [
                    ("VERSION", "version"), ("STATUS", "status"), ("KIND", "kind"), ("SIZE", "sizeBytes"), ("DIGEST", "digest"),
                    ("CREATED", "createdAt"),
                ],
                items: versions["versions"]?.arrayValue ?? [])
            Terminal().out(head.rendered() + "\n" + table.rendered())
            if versions["nextCursor"] != nil { Terminal().err("(only the first 200 versions are shown; -o json with the API lists them all)\n") }
        }
    }
}

struct ModuleYankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "yank", abstract: "Yank a version: new deployments refuse it; nodes running it keep it.")

    @OptionGroup var options: ClientOptions
    @Argument(help: "Module name.") var name: String
    @Argument(help: "Version.") var version: String

    func run() async throws {
        try await options.run { client in
            let response = try await client.send(.POST, "/modules/\(APIClient.encode(name))/versions/\(APIClient.encode(version))/yank")
            try options.output.print(response) { item in "\(name)@\(version) is \(item["status"]?.cellText ?? "?")\n" }
        }
    }
}
