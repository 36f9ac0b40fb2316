import PostgresNIO
import SQLMetadataStore

/// Seconds since 1970 as a `timestamptz`: whole microseconds since 2000, rounded to the nearest. PostgresNIO's `Date`
/// truncates and goes through `Date`'s 2001 reference, so `0.1` could come back as `0.099999`; this way a value with
/// at most six decimals reads back as the same `Double`, and any value read back writes the same microseconds again.
struct PostgresTimestamp: PostgresNonThrowingEncodable, PostgresArrayEncodable {
    /// Microseconds from 1970 to 2000, PostgreSQL's epoch.
    static let epoch: Int64 = 946_684_800_000_000
    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }
    static var psqlArrayType: PostgresDataType { .timestamptzArray }
    /// Since 1970.
    let microseconds: Int64

    init(seconds: Double) { microseconds = Int64((seconds * 1_000_000).rounded()) }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeInteger(microseconds - Self.epoch)
    }

    /// A binary `timestamptz` cell as seconds since 1970: the `Double` nearest to its exact microseconds.
    static func seconds(_ cell: PostgresCell) throws -> Double {
        guard var bytes = cell.bytes, bytes.readableBytes == 8, let value = bytes.readInteger(as: Int64.self) else {
            throw SQLRow.Unreadable(column: cell.columnName)
        }
        return Double(value + epoch) / 1_000_000
    }
}
