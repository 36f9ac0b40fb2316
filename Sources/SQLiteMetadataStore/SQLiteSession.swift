import Foundation
import NIOCore
import OrchestratorPorts
import SQLMetadataStore
import SQLiteNIO

/// Statements on the store's one connection, already under its mutex. `$n` placeholders become
/// SQLite's `?n`; unique and primary-key refusals are recognised by their extended result code.
struct SQLiteSession: SQLSession {
    let connection: SQLiteConnection

    @discardableResult
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let data = try binds.map(Self.data)
        do {
            return try await connection.query(Self.numbered(sql), data).map(Self.row)
        } catch let error as SQLiteError where [.constraintUniqueFailed, .constraintPrimaryKeyFailed].contains(error.reason) {
            throw SQLUniqueViolation(constraint: nil)
        }
    }

    /// SQLite is in-process, so a bulk write is the statement once per row, inside the caller's transaction.
    func bulk(_ sql: String, _ binds: [SQLValue], columns: [String], rows: [[SQLValue]]) async throws {
        let row = columns.enumerated().map { "$\(binds.count + $0.offset + 1) AS \($0.element)" }.joined(separator: ", ")
        let statement = sql.replacingOccurrences(of: SQLBulk.source, with: "(SELECT \(row)) AS u")
        for values in rows { try await query(statement, binds + values) }
    }

    /// The store's mutex and `BEGIN IMMEDIATE` already make every transaction the only writer.
    func lock(_ key: String) async throws {}

    func execute(_ sql: String) async throws {
        _ = try await connection.query(sql, [])
    }

    /// `$12` → `?12`: the same numbered parameter in SQLite's spelling.
    static func numbered(_ sql: String) -> String {
        var result = "", previous: Character = " "
        for character in sql {
            if previous == "$", character.isNumber {
                result.removeLast()
                result.append("?")
            }
            result.append(character)
            previous = character
        }
        return result
    }

    static func data(_ value: SQLValue) throws -> SQLiteData {
        switch value {
        case .text(let text): text.map { .text($0) } ?? .null
        case .integer(let number): number.map { .integer($0) } ?? .null
        case .real(let number), .timestamp(let number): number.map { .float($0) } ?? .null
        case .boolean(let flag): flag.map { .integer($0 ? 1 : 0) } ?? .null
        case .texts(let list): .text(try NodeCoding.encode(list))
        case .null: .null
        }
    }

    static func row(_ row: SQLiteRow) -> SQLRow {
        var values: [String: SQLValue] = [:]
        for column in row.columns {
            switch column.data {
            case .integer(let number): values[column.name] = .integer(number)
            case .float(let number): values[column.name] = .real(number)
            case .text(let text): values[column.name] = .text(text)
            case .blob(let bytes): values[column.name] = .text(String(buffer: bytes))
            case .null: values[column.name] = .null
            }
        }
        return SQLRow(values)
    }
}
