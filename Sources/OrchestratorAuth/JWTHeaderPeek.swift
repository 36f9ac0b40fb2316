import Foundation

/// The header fields we must inspect **before** choosing a key.
///
/// jwt-kit picks a verifier by `kid` but does not compare the header's
/// `alg` with the key's algorithm (RFC 8725 §3.1), so we decode the header
/// ourselves and refuse any mismatch before the signature is checked.
struct JWTHeaderPeek: Decodable {
    let alg: String?
    let kid: String?
    let crit: [String]?

    /// Tokens longer than this are refused unparsed: no legitimate token of ours comes close.
    static let maximumTokenLength = 8 * 1024

    static func parse(_ token: String) throws(AuthenticationError) -> JWTHeaderPeek {
        guard token.utf8.count <= maximumTokenLength else { throw .malformed }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty,
            let data = Data(base64URLEncoded: String(parts[0])),
            let header = try? JSONDecoder().decode(JWTHeaderPeek.self, from: data)
        else { throw .malformed }
        return header
    }
}

extension Data {
    /// Decodes unpadded base64url (RFC 4648 §5).
    init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}
