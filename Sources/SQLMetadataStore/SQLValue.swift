/// A bound parameter or a returned cell, in the few types the schema uses.
///
/// Parameters carry their type even when `nil`: PostgreSQL must know the type of
/// `$1` in `($1 IS NULL OR col = $1)`, so a `nil` text binds as a text NULL.
public enum SQLValue: Sendable, Equatable {
    case text(String?)
    case integer(Int?)
    case real(Double?)
    /// An instant as seconds since 1970: `timestamptz` on PostgreSQL (microsecond precision), REAL on SQLite.
    case timestamp(Double?)
    case boolean(Bool?)
    /// A list for ``SQLDialect/isIn`` (a `text[]` on PostgreSQL, a JSON array on SQLite).
    case texts([String])
    /// A NULL cell of a type the driver did not name.
    case null

    /// The value as a log shows it.
    public var logText: String {
        switch self {
        case .text(let value?): value
        case .integer(let value?): String(value)
        case .real(let value?), .timestamp(let value?): String(value)
        case .boolean(let value?): String(value)
        case .texts(let values): values.joined(separator: ",")
        default: "NULL"
        }
    }

    public var isNull: Bool {
        switch self {
        case .text(nil), .integer(nil), .real(nil), .timestamp(nil), .boolean(nil), .null: true
        default: false
        }
    }
}

/// A unique or primary-key constraint refused a write, recognised by the driver's error code
/// (SQLSTATE 23505, SQLite's `SQLITE_CONSTRAINT_UNIQUE`/`_PRIMARYKEY`), never by message text.
public struct SQLUniqueViolation: Error, Sendable {
    /// The constraint's name where the database reports it (PostgreSQL); `nil` on SQLite.
    public let constraint: String?
    public init(constraint: String?) { self.constraint = constraint }

    /// Whether this is `name`; SQLite names no constraint, so callers only ask where one can fail.
    public func `is`(_ name: String) -> Bool { constraint == nil || constraint == name }
}

/// A stored row could not be turned back into a record: a bug or a hand-edited database,
/// never a reason to drop the row. It surfaces as a 500 and is logged with its table and key.
public struct CorruptRowError: Error, Sendable, CustomStringConvertible {
    public let table: String
    public let key: String
    public let column: String
    public var description: String { "row \(key) of \(table) has an unreadable \(column)" }
}
