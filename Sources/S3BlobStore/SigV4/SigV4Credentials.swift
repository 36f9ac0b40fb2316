/// The key pair SigV4 signs with. Read from configuration, never from code.
public struct SigV4Credentials: Sendable, Hashable {
    public let accessKey: String
    public let secretKey: String
    /// Optional STS session token, sent as `x-amz-security-token`.
    public let sessionToken: String?

    public init(accessKey: String, secretKey: String, sessionToken: String? = nil) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.sessionToken = sessionToken
    }
}
