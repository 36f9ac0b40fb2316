/// Which `jti` values are accepted, in tokens and in `DELETE /auth/tokens/{jti}`:
/// 1 to 256 bytes, no whitespace or control characters.
///
/// Ours are lowercase UUIDs; an external issuer's may be any such text.
public enum TokenID {
    public static let maxLength = 256

    public static func isValid(_ value: String) -> Bool {
        (1...maxLength).contains(value.utf8.count)
            && !value.unicodeScalars.contains { $0.properties.isWhitespace || TokenSubject.isControl($0) }
    }
}
