import Foundation

/// `-o table` (the default, for people) or `-o json` (the server's body as it came, for scripts).
public enum OutputFormat: String, Sendable, CaseIterable {
    case table
    case json

    /// Prints `response`: its body verbatim for `json` (a newline added), else what `human` makes of its JSON.
    public func print(_ response: APIClient.Response, on terminal: Terminal = Terminal(), human: (JSONValue) throws -> String) throws {
        switch self {
        case .json:
            var body = response.body
            if body.last != UInt8(ascii: "\n") { body.append(UInt8(ascii: "\n")) }
            FileHandle.standardOutput.write(body)
        case .table:
            terminal.out(try human(try response.json()))
        }
    }
}

/// What a list command prints after its table when more pages exist: the next `--cursor`, on standard error,
/// so that the table on standard output stays parseable.
public func moreHint(_ page: JSONValue, terminal: Terminal = Terminal()) {
    if let cursor = page["nextCursor"]?.stringValue { terminal.err("(more: --cursor \(TerminalText.printable(cursor)))\n") }
}
