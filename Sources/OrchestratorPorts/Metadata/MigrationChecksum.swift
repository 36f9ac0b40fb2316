/// A stable checksum of a migration's SQL text (FNV-1a 64-bit, hex).
///
/// It only has to detect edits, not resist attackers, and keeping it here
/// avoids a crypto dependency in the ports module.
public enum MigrationChecksum {
    public static func of(_ sql: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
