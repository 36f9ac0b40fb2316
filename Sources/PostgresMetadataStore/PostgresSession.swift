import Foundation
import Logging
import OrchestratorPorts
import PostgresNIO
import SQLMetadataStore

/// Statements on the pool or on one transaction's connection. Refusals are classified by
/// SQLSTATE: 23505 is a ``SQLUniqueViolation`` with its constraint's name; a `PSQLError`
/// without server information never reached SQL (connection refused or closed) and is an outage.
struct PostgresSession: SQLSession {
    let logger: Logger
    let run: @Sendable (PostgresQuery) async throws -> PostgresRowSequence

    @discardableResult
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds { try Self.bind(value, to: &bindings) }
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: bindings))
    }

    /// One statement over `unnest` of one array per column, typed by the first row's values.
    func bulk(_ sql: String, _ binds: [SQLValue], columns: [String], rows: [[SQLValue]]) async throws {
        guard let first = rows.first else { return }
        var bindings = PostgresBindings(capacity: binds.count + columns.count)
        for value in binds { try Self.bind(value, to: &bindings) }
        var arrays: [String] = []
        func append<T: PostgresArrayEncodable>(_ array: [T], _ type: String) throws {
            try bindings.append(array)
            arrays.append("$\(binds.count + arrays.count + 1)::\(type)[]")
        }
        for (index, sample) in first.enumerated() {
            let cells = rows.map { $0[index] }
            switch sample {
            case .integer: try append(cells.map { cell -> Int in if case .integer(let value?) = cell { value } else { 0 } }, "int8")
            case .real: try append(cells.map { cell -> Double in if case .real(let value?) = cell { value } else { 0 } }, "float8")
            case .boolean: try append(cells.map { cell -> Bool in if case .boolean(let value?) = cell { value } else { false } }, "bool")
            case .timestamp:
                let seconds = cells.map { cell -> Double in if case .timestamp(let value?) = cell { value } else { 0 } }
                try append(seconds.map(PostgresTimestamp.init(seconds:)), "timestamptz")
            default: try append(cells.map { cell -> String in if case .text(let value?) = cell { value } else { "" } }, "text")
            }
        }
        let source = "unnest(\(arrays.joined(separator: ", "))) AS u(\(columns.joined(separator: ", ")))"
        try await self.rows(PostgresQuery(unsafeSQL: sql.replacingOccurrences(of: SQLBulk.source, with: source), binds: bindings))
    }

    func lock(_ key: String) async throws {
        try await query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [.text(key)])
    }

    func execute(_ sql: String) async throws {
        try await rows(PostgresQuery(unsafeSQL: sql))
    }

    @discardableResult
    private func rows(_ query: PostgresQuery) async throws -> [SQLRow] {
        do {
            var result: [SQLRow] = []
            for try await row in try await run(query) {
                var values: [String: SQLValue] = [:]
                for cell in row { values[cell.columnName] = try Self.value(cell) }
                result.append(SQLRow(values))
            }
            return result
        } catch let error as PSQLError {
            guard let state = error.serverInfo?[.sqlState] else {
                throw DependencyUnavailableError(dependency: "postgresql", reason: String(reflecting: error))
            }
            // The SQLSTATE and the server's message are what an operator needs; clients never see them.
            let metadata: Logger.Metadata = [
                "sqlstate": .string(state), "message": .string(error.serverInfo?[.message] ?? "?"),
                "detail": .string(error.serverInfo?[.detail] ?? ""),
            ]
            logger.log(level: state == "23505" ? .debug : .warning, "PostgreSQL refused a statement", metadata: metadata)
            if state == "23505" { throw SQLUniqueViolation(constraint: error.serverInfo?[.constraintName]) }
            throw error
        }
    }

    static func bind(_ value: SQLValue, to bindings: inout PostgresBindings) throws {
        switch value {
        case .text(let text): text.map { bindings.append($0) } ?? bindings.append(PostgresData(type: .text))
        case .integer(let number): number.map { bindings.append($0) } ?? bindings.append(PostgresData(type: .int8))
        case .real(let number): number.map { bindings.append($0) } ?? bindings.append(PostgresData(type: .float8))
        case .timestamp(let seconds):
            seconds.map { bindings.append(PostgresTimestamp(seconds: $0)) } ?? bindings.append(PostgresData(type: .timestamptz))
        case .boolean(let flag): flag.map { bindings.append($0) } ?? bindings.append(PostgresData(type: .bool))
        case .texts(let list): bindings.append(list)
        case .null: bindings.appendNull()
        }
    }

    /// A cell by its declared type; `timestamptz` becomes seconds since 1970 (``PostgresTimestamp``).
    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bool: return .boolean(try cell.decode(Bool.self))
        case .timestamptz: return .timestamp(try PostgresTimestamp.seconds(cell))
        case .void: return .null
        default: return .text(try cell.decode(String.self))
        }
    }
}
