import Foundation

/// A plain text table: a header row and left-aligned columns separated by two spaces.
public struct TextTable: Sendable {
    public var headers: [String]
    public var rows: [[String]]

    public init(headers: [String], rows: [[String]] = []) {
        self.headers = headers
        self.rows = rows
    }

    /// Columns as `(header, path)` pairs read from each item with ``JSONValue/value(at:)``.
    public init(_ columns: [(String, String)], items: [JSONValue]) {
        self.headers = columns.map(\.0)
        self.rows = items.map { item in columns.map { item.value(at: $0.1)?.cellText ?? "" } }
    }

    /// The table as text, one line per row, each line ending in a newline; cells are cut at 100 characters (a digest, 71, stays whole).
    public func rendered() -> String {
        let cells = ([headers] + rows).map { row in row.map { Self.cut($0) } }
        var widths = headers.map { _ in 0 }
        for row in cells { for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) } }
        return cells.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 || index >= widths.count ? cell : cell + String(repeating: " ", count: max(0, widths[index] - cell.count))
            }.joined(separator: "  ")
        }.map { $0 + "\n" }.joined()
    }

    static func cut(_ text: String) -> String {
        let flat = TerminalText.printable(text)
        return flat.count > 100 ? String(flat.prefix(99)) + "…" : flat
    }
}

/// Key-value lines for one resource (`module show`, `node show`).
public struct FieldList: Sendable {
    public var fields: [(String, String)]

    public init(_ fields: [(String, String)], item: JSONValue) {
        self.fields = fields.compactMap { label, path in item.value(at: path).map { (label, $0.cellText) } }
    }

    public func rendered() -> String {
        let width = fields.map(\.0.count).max() ?? 0
        return fields.map { "\($0.0 + String(repeating: " ", count: max(0, width - $0.0.count)))  \($0.1)\n" }.joined()
    }
}
