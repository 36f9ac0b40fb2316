import Foundation
import OrchestratorDomain
import OrchestratorPorts

/// One result row by column name. Every accessor throws ``SQLRow/Unreadable`` rather than
/// guess a default; ``SQLStore/decode(_:table:key:_:)`` adds the table and key.
public struct SQLRow: Sendable {
    public var values: [String: SQLValue]
    public init(_ values: [String: SQLValue]) { self.values = values }

    /// The column that failed.
    public struct Unreadable: Error {
        public let column: String
        public init(column: String) { self.column = column }
    }

    /// `value`, or ``Unreadable`` naming `column`.
    public func required<T>(_ column: String, _ value: T?) throws -> T {
        guard let value else { throw Unreadable(column: column) }
        return value
    }

    public func optionalText(_ column: String) throws -> String? {
        switch values[column] {
        case .text(let text): return text
        case let value? where value.isNull: return nil
        default: throw Unreadable(column: column)
        }
    }

    /// Seconds since 1970 from a `timestamptz` (PostgreSQL) or a REAL or INTEGER (SQLite, older schemas) cell.
    public func optionalTimestamp(_ column: String) throws -> Double? {
        switch values[column] {
        case .timestamp(let value), .real(let value): return value
        case .integer(let value): return value.map(Double.init)
        case let value? where value.isNull: return nil
        default: throw Unreadable(column: column)
        }
    }

    public func text(_ column: String) throws -> String { try required(column, optionalText(column)) }
    public func timestamp(_ column: String) throws -> Double { try required(column, optionalTimestamp(column)) }

    public func int(_ column: String) throws -> Int {
        guard case .integer(let value?) = values[column] else { throw Unreadable(column: column) }
        return value
    }

    /// PostgreSQL's BOOLEAN or SQLite's 0/1 INTEGER.
    public func bool(_ column: String) throws -> Bool {
        switch values[column] {
        case .boolean(let value?): return value
        case .integer(let value?): return value != 0
        default: throw Unreadable(column: column)
        }
    }

    /// A `RawRepresentable` enum stored as its raw text.
    public func value<T: RawRepresentable>(_ type: T.Type, _ column: String) throws -> T where T.RawValue == String {
        try required(column, T(rawValue: text(column)))
    }

    /// A JSON document column; `nil` only when the column is NULL.
    public func optionalJSON<T: Decodable>(_ type: T.Type, _ column: String) throws -> T? {
        guard let text = try optionalText(column) else { return nil }
        return try required(column, NodeCoding.decode(type, text))
    }

    public func json<T: Decodable>(_ type: T.Type, _ column: String) throws -> T { try required(column, optionalJSON(type, column)) }
    public func nodeID(_ column: String) throws -> NodeID { try required(column, NodeID(text(column))) }
}
