/// Free text the agent sends (status-report reasons): the orchestrator refuses
/// C0/C1 control characters in free text (issue 11, item 4), so the agent
/// replaces them with a space and bounds the length before sending.
public enum ReportText {
    /// The server's limit for a report's `reason` is 1024 bytes; the agent stays under it.
    public static let maxReasonBytes = 1000

    /// `text` with every C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F) and Unicode
    /// line/paragraph separator replaced by a space, cut to at most `maxBytes`
    /// UTF-8 bytes on a character boundary.
    public static func sanitize(_ text: String, maxBytes: Int = maxReasonBytes) -> String {
        var result = ""
        var bytes = 0
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let clean: Unicode.Scalar = value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029 ? " " : scalar
            let size = UTF8.width(clean)
            guard bytes + size <= maxBytes else { break }
            result.unicodeScalars.append(clean)
            bytes += size
        }
        return result
    }
}
