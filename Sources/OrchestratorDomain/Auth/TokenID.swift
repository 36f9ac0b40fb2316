/// Which `jti` values are accepted: in presented tokens, 1 to 256 bytes without whitespace or
/// control characters (``isWellFormed(_:)``); in `DELETE /auth/tokens/{jti}` and the revocation
/// list, an identifier (``isValid(_:)``: letters, digits, `.`, `_`, `:`, `-`, `+`, `=`).
///
/// Ours are lowercase UUIDs; an external issuer's may be any such text.
public enum TokenID {
    public static let maxLength = 256

    /// What the verifier accepts in a presented token (external issuers choose their own ids):
    /// no whitespace or control characters.
    public static func isWellFormed(_ value: String) -> Bool {
        (1...maxLength).contains(value.utf8.count)
            && !value.unicodeScalars.contains { $0.properties.isWhitespace || TokenSubject.isControl($0) }
    }

    /// What may be named for revocation and stored: an identifier.
    public static func isValid(_ value: String) -> Bool {
        // An identifier, not free text: letters, digits, '.', '_', ':' and '-' (UUIDs, ULIDs and the
        // like), so a path such as `../../etc/passwd` is never stored as a revocation or audited.
        (1...maxLength).contains(value.utf8.count)
            && value.utf8.allSatisfy {
                ($0 >= 48 && $0 <= 58) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 46 || $0 == 95 || $0 == 45 || $0 == 43
                    || $0 == 61
            }
    }
}
