import Crypto
import Foundation

/// The signature on a webhook request: `X-Wasm-Orchestrator-Signature: sha256=<hex>`, the lowercase hex HMAC-SHA256,
/// keyed with the environment's secret, of `<timestamp>.<body>`, where `<timestamp>` is the
/// `X-Wasm-Orchestrator-Timestamp` header (Unix seconds). Receivers recompute it, compare in constant time, and
/// refuse timestamps far from their clock (replays). `docs/notifications.md` shows how.
public enum WebhookSignature {
    public static let signatureHeader = "X-Wasm-Orchestrator-Signature"
    public static let timestampHeader = "X-Wasm-Orchestrator-Timestamp"

    /// The `sha256=<hex>` header value.
    public static func sign(body: String, timestamp: Int, secret: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: key)
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `header` is the signature of `body` at `timestamp` (constant-time comparison).
    public static func verify(header: String, body: String, timestamp: Int, secret: String) -> Bool {
        let expected = Array(sign(body: body, timestamp: timestamp, secret: secret).utf8)
        let given = Array(header.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
