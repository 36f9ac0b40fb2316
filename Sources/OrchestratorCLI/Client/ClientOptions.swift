import ArgumentParser
import OrchestratorClient

extension OutputFormat: ExpressibleByArgument {}

/// Options every client command shares: where the server is and how to print.
struct ClientOptions: ParsableArguments {
    @Option(help: "Server URL. Default: \(CredentialStore.addressVariable), then the login file, then \(CredentialStore.defaultAddress).")
    var address: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "table (for people) or json (the server's JSON, for scripts).")
    var output: OutputFormat = .table

    /// A client with the resolved address and token.
    func client() throws -> APIClient {
        APIClient(credentials: try CredentialStore().resolve(addressFlag: address))
    }

    /// Runs `body` with a client; a ``ClientError`` is printed on standard error and becomes its exit code.
    func run(_ body: (APIClient) async throws -> Void) async throws {
        do {
            try await body(try client())
        } catch let error as ClientError {
            Self.report(error)
        }
    }

    /// Prints `error` and exits with its documented code.
    static func report(_ error: ClientError) -> Never {
        Terminal().err("wasm-orchestrator: \(error.message)\n")
        OrchestratorCommand.exit(withError: ExitCode(error.exitCode))
    }
}

/// `KEY=VALUE` flags (labels, config, env) as a JSON object.
enum KeyValues {
    /// - Parameter splittingCommas: `--label a=1,b=2` lists several pairs in one flag; config and env values may hold
    ///   commas themselves (`--env URLS=a,b`), so they take one pair per flag.
    static func object(_ pairs: [String], flag: String, splittingCommas: Bool = false) throws -> JSONValue? {
        guard !pairs.isEmpty else { return nil }
        var members: [String: JSONValue] = [:]
        for pair in splittingCommas ? pairs.flatMap({ $0.split(separator: ",").map(String.init) }) : pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw ValidationError("\(flag) takes KEY=VALUE, got '\(pair)'")
            }
            members[String(pair[..<equals])] = .string(String(pair[pair.index(after: equals)...]))
        }
        return .object(members)
    }
}

/// `--limit` and `--cursor`, which every list takes.
struct PageOptions: ParsableArguments {
    @Option(help: "Page size (1-200; audit list: 1-500).") var limit: Int?
    @Option(help: "The nextCursor of the previous page (printed on standard error after a table).") var cursor: String?

    var query: [(String, String?)] { [("limit", limit.map(String.init)), ("cursor", cursor)] }
}

extension ClientOptions {
    /// Runs `GET path?query` and prints the page: verbatim for `-o json`, else the items under `key` as a table of
    /// `columns` (header, JSON path), and the next cursor on standard error.
    func list(_ path: String, query: [(String, String?)], page: PageOptions, key: String, columns: [(String, String)]) async throws {
        try await run { client in
            let response = try await client.send(.GET, path, query: query + page.query)
            try output.print(response) { body in
                moreHint(body)
                return TextTable(columns, items: body[key]?.arrayValue ?? []).rendered()
            }
        }
    }
}
