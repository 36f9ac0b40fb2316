/// What text from outside may contain before it is stored, logged or audited.
///
/// Control characters are refused everywhere an identifier or a free-text
/// field is accepted: C0 (U+0000–U+001F), DEL and C1 (U+007F–U+009F), Unicode's
/// `Cc` category. A NUL would truncate or break SQL text and JSONB, CR/LF would
/// forge log and audit lines, and the C1 range includes terminal escapes. The
/// bidirectional overrides (U+202A–U+202E, U+2066–U+2069) are refused too, so a
/// name cannot display differently from what it is.
public enum TextRules {
    /// `true` for a scalar no stored text may contain.
    public static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    /// `true` when `text` contains a control character or a bidirectional override.
    public static func containsForbidden(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains(where: isForbidden)
    }

    /// Free text (descriptions, reasons, comments): at most `maxBytes` of UTF-8, nothing forbidden.
    public static func isFreeText(_ text: some StringProtocol, maxBytes: Int) -> Bool {
        text.utf8.count <= maxBytes && !containsForbidden(text)
    }

    /// A value of an opaque document (a module's `env` or `config`): like free text,
    /// but tab, line feed and carriage return are kept, so multi-line configuration works.
    public static func isDocumentValue(_ text: some StringProtocol, maxBytes: Int) -> Bool {
        text.utf8.count <= maxBytes
            && !text.unicodeScalars.contains { ![0x09, 0x0A, 0x0D].contains($0.value) && isForbidden($0) }
    }
}
