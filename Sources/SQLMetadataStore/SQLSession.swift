import Logging
import OrchestratorDomain
import OrchestratorPorts

/// A place to run statements: one connection inside a transaction, or the store outside one.
/// Drivers translate their errors here: ``SQLUniqueViolation`` for unique and primary-key
/// refusals, ``DependencyUnavailableError`` for busy, locked or unreachable databases.
public protocol SQLSession: Sendable {
    /// Runs one statement written with `$n` placeholders.
    @discardableResult
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]

    /// Runs `sql` for every row of `rows`. The text names the rows' source as ``SQLBulk/source``,
    /// aliased `u` with `columns`; `binds` are `$1…$k` and the rows' columns follow them.
    /// PostgreSQL sends one statement over `unnest` of arrays; SQLite runs it once per row.
    func bulk(_ sql: String, _ binds: [SQLValue], columns: [String], rows: [[SQLValue]]) async throws

    /// Holds a transaction-scoped lock on `key` until COMMIT (a PostgreSQL advisory lock);
    /// a no-op on SQLite, where the single writer already serialises every transaction.
    func lock(_ key: String) async throws

    /// Runs migration text as written, without placeholders.
    func execute(_ sql: String) async throws
}

/// The token that a bulk statement uses for its rows.
public enum SQLBulk {
    public static let source = "@rows"
}

/// A store whose every query is written once in this module; a driver supplies the dialect,
/// sessions and transactions (see `docs/storage.md`).
public protocol SQLStore: MetadataStore {
    var dialect: SQLDialect { get }
    var logger: Logger { get }
    /// Runs `body` in one transaction, rolled back if it throws. `timeout` replaces the query bound (migrations).
    func transaction<T: Sendable>(timeout: Duration?, _ body: @escaping @Sendable (any SQLSession) async throws -> T) async throws -> T
    /// Runs `body`'s statements outside an explicit transaction.
    func statements<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> T) async throws -> T
}

extension SQLStore {
    /// ``transaction(timeout:_:)`` under the store's usual query bound.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> T) async throws -> T {
        try await transaction(timeout: nil, body)
    }

    /// One statement outside a transaction.
    @discardableResult
    func query(_ sql: String, _ binds: [SQLValue] = []) async throws -> [SQLRow] {
        try await statements { try await $0.query(sql, binds) }
    }

    /// A page of the `limit + 1` (cursor, item) pairs a list query fetched: the first `limit` items, and the
    /// last one's cursor when more follow.
    func page<Item, Cursor>(_ rows: [(Cursor, Item)], limit: Int) -> Page<Item, Cursor> {
        let items = rows.prefix(limit)
        return Page(items: items.map(\.1), next: rows.count > limit ? items.last?.0 : nil)
    }

    /// Decodes every row or throws: a row that cannot be read is logged with its table and key
    /// and surfaces as ``CorruptRowError`` (a 500), never silently dropped.
    func decode<T>(_ rows: [SQLRow], table: String, key: [String], _ body: (SQLRow) throws -> T) throws -> [T] {
        try rows.map { row in
            do {
                return try body(row)
            } catch let error as SQLRow.Unreadable {
                let id = key.map { row.values[$0]?.logText ?? "?" }.joined(separator: "/")
                logger.error("unreadable row", metadata: ["table": .string(table), "key": .string(id), "column": .string(error.column)])
                throw CorruptRowError(table: table, key: id, column: error.column)
            }
        }
    }
}

extension SQLValue {
    static func text(_ value: some RawRepresentable<String>) -> SQLValue { .text(value.rawValue) }
}
