/// Where the S3-compatible store is and how to sign for it. Path-style addressing only.
public struct S3Configuration: Sendable {
    /// Scheme, host and port, e.g. `http://127.0.0.1:8333` or `https://s3.example.com`.
    public let endpoint: String
    public let bucket: String
    public let region: String
    public let credentials: SigV4Credentials
    /// Bound on each request's total time.
    public let requestTimeout: Duration

    public init(endpoint: String, bucket: String, region: String, credentials: SigV4Credentials, requestTimeout: Duration = .seconds(30)) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.bucket = bucket
        self.region = region
        self.credentials = credentials
        self.requestTimeout = requestTimeout
    }
}
