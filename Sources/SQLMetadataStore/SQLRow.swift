import Foundation
import OrchestratorDomain
import OrchestratorPorts

/// One result row by column name. Every accessor throws ``SQLRow/Unreadable`` rather than
/// guess a default; ``SQLStore/decode(_:table:key:_:)`` adds the table and key.
public struct SQLRow: Sendable {
    public var values: [String: SQLValue]
    public init(_ values: [String: SQLValue]) { self.values = values }

    /// The column that failed.
    public struct Unreadable: Error { public let column: String }

    public func optionalText(_ column: String) throws -> String? {
        switch values[column] {
        case .text(let text): return text
        case let value? where value.isNull: return nil
        default: throw Unreadable(column: column)
        }
    }

    public func text(_ column: String) throws -> String {
        guard let text = try optionalText(column) else { throw Unreadable(column: column) }
        return text
    }

    public func optionalDouble(_ column: String) throws -> Double? {
        switch values[column] {
        case .real(let value): return value
        case .integer(let value): return value.map(Double.init)
        case let value? where value.isNull: return nil
        default: throw Unreadable(column: column)
        }
    }

    public func double(_ column: String) throws -> Double {
        guard let value = try optionalDouble(column) else { throw Unreadable(column: column) }
        return value
    }

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
        guard let value = T(rawValue: try text(column)) else { throw Unreadable(column: column) }
        return value
    }

    /// A JSON document column; `nil` only when the column is NULL.
    public func optionalJSON<T: Decodable>(_ type: T.Type, _ column: String) throws -> T? {
        guard let text = try optionalText(column) else { return nil }
        guard let value = NodeCoding.decode(type, text) else { throw Unreadable(column: column) }
        return value
    }

    public func json<T: Decodable>(_ type: T.Type, _ column: String) throws -> T {
        guard let value = try optionalJSON(type, column) else { throw Unreadable(column: column) }
        return value
    }

    public func nodeID(_ column: String) throws -> NodeID {
        guard let id = NodeID(try text(column)) else { throw Unreadable(column: column) }
        return id
    }
}
