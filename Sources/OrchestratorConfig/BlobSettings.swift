/// Blob storage settings: S3 when `s3.endpoint` is set, else files under the data dir.
public struct BlobSettings: Sendable {
    /// S3 connection; `nil` means files.
    public var s3: S3Settings?
    /// `<data.dir>/blobs` — the file store root, and the spool for S3 uploads.
    public var fileRoot: String

    init(_ values: ConfigValues, dataDirectory: String) throws {
        fileRoot = dataDirectory + "/blobs"
        s3 = try S3Settings(values)
    }
}

/// An S3-compatible store, path-style addressing.
public struct S3Settings: Sendable {
    /// `s3.endpoint` — e.g. `http://127.0.0.1:8333`, `https://s3.eu-central-1.amazonaws.com`.
    public var endpoint: String
    /// `s3.bucket` — required with an endpoint.
    public var bucket: String
    /// `s3.region` — default `us-east-1`.
    public var region: String
    /// `s3.accessKey` / `s3.secretKey` — required with an endpoint. Secret.
    public var accessKey: String
    public var secretKey: String
    /// `s3.createBucket` — create the bucket at start if missing. Default `false`.
    public var createBucket: Bool
    /// `s3.keyPrefix` — where in the bucket blobs live. Default `blobs/`.
    public var keyPrefix: String

    /// `nil` when no `s3.*` key is set; an error naming the first missing key when only some are.
    init?(_ values: ConfigValues) throws {
        let endpoint = values.string("s3.endpoint")
        let bucket = values.string("s3.bucket")
        let accessKey = values.string("s3.accessKey", secret: true)
        let secretKey = values.string("s3.secretKey", secret: true)
        guard endpoint != nil || bucket != nil || accessKey != nil || secretKey != nil else { return nil }
        guard let endpoint else { throw ConfigurationError(key: "s3.endpoint", problem: "required when any s3.* key is set") }
        guard endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") else {
            throw ConfigurationError(key: "s3.endpoint", problem: "must start with http:// or https://")
        }
        guard let bucket else { throw ConfigurationError(key: "s3.bucket", problem: "required with s3.endpoint") }
        guard let accessKey else { throw ConfigurationError(key: "s3.accessKey", problem: "required with s3.endpoint") }
        guard let secretKey else { throw ConfigurationError(key: "s3.secretKey", problem: "required with s3.endpoint") }
        self.endpoint = endpoint
        self.bucket = bucket
        self.region = values.string("s3.region") ?? "us-east-1"
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.createBucket = try values.bool("s3.createBucket", default: false)
        self.keyPrefix = values.string("s3.keyPrefix") ?? "blobs/"
    }
}
