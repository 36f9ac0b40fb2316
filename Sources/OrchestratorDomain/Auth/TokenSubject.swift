/// The charset of token subjects minted by this server (`POST /auth/tokens`,
/// `token issue`): 1 to 128 of `A–Z a–z 0–9 . _ @ : + -`.
///
/// Subjects end up in audit records, logs and approval lists, so they are
/// kept to characters that cannot break a log line, a URL or a comparison.
/// Tokens from an external issuer (JWKS) are only required to be free of
/// control characters (see ``containsControlCharacters(_:)``).
public enum TokenSubject {
    public static let maxLength = 128

    /// `true` when `subject` is 1 to ``maxLength`` characters of the documented charset.
    public static func isValid(_ subject: String) -> Bool {
        (1...maxLength).contains(subject.utf8.count) && subject.utf8.allSatisfy(isAllowed)
    }

    /// C0 controls, DEL and C1 controls (U+0080–U+009F).
    public static func containsControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }

    /// One C0 control, DEL or C1 control.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "@"), UInt8(ascii: ":"), UInt8(ascii: "+"), UInt8(ascii: "-"): true
        default: false
        }
    }
}
