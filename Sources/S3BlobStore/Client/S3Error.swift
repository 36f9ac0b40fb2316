import Foundation

/// An error answer from S3, with the `<Code>` from its XML body when there was one.
public struct S3Error: Error, Sendable, CustomStringConvertible {
    public let status: Int
    /// e.g. `InvalidAccessKeyId`, `SignatureDoesNotMatch`, `NoSuchBucket`.
    public let code: String?
    public let operation: String

    public var description: String {
        "S3 \(operation) failed with HTTP \(status)\(code.map { " (\($0))" } ?? "")"
    }

    /// `true` when S3 refused our credentials: a configuration problem, named clearly at start-up.
    public var isCredentialError: Bool {
        ["InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied"].contains(code ?? "")
    }

    /// Pulls `<Code>…</Code>` out of an S3 XML error document.
    static func code(fromXML body: String) -> String? {
        guard let start = body.range(of: "<Code>"), let end = body.range(of: "</Code>", range: start.upperBound..<body.endIndex) else {
            return nil
        }
        return String(body[start.upperBound..<end.lowerBound])
    }
}
