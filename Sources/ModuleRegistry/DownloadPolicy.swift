/// How `GET …/versions/{version}/content` answers.
public struct DownloadPolicy: Sendable {
    /// Answer `307` to a presigned URL when the blob store can make one; otherwise stream.
    public var redirect: Bool
    /// Lifetime of a presigned URL.
    public var presignSeconds: Int

    public init(redirect: Bool = false, presignSeconds: Int = 300) {
        self.redirect = redirect
        self.presignSeconds = presignSeconds
    }
}
