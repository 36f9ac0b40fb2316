/// Raised by an adapter when its backing service cannot be reached or
/// answered in a way that is not the caller's fault.
///
/// The HTTP layer maps it to `503` with `Retry-After`; `reason` is logged,
/// never sent to clients, because it may carry upstream text.
public struct DependencyUnavailableError: Error, Sendable {
    /// The dependency's health name: `postgresql`, `sqlite`, `redis`, `minio`, `filesystem`.
    public let dependency: String
    /// Internal detail for the log.
    public let reason: String

    public init(dependency: String, reason: String) {
        self.dependency = dependency
        self.reason = reason
    }
}

/// A body was larger than the limit the caller set.
public struct PayloadTooLargeError: Error, Sendable {
    public let limit: Int
    public init(limit: Int) { self.limit = limit }
}
