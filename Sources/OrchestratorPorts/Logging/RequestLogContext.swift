import Logging

/// The request a task is serving, for log lines written far from the HTTP layer.
///
/// `RequestIDMiddleware` binds ``requestID`` for the whole request (a task-local, so it follows
/// structured concurrency into the use cases and adapters), and ``metadataProvider``, installed
/// at logging bootstrap, adds it as `request_id` to every line logged inside that task, whichever
/// `Logger` the line goes through. Background loops run outside any request and get none.
public enum RequestLogContext {
    /// The metadata key, the same one the HTTP layer puts on `context.logger`.
    public static let metadataKey = "request_id"

    @TaskLocal public static var requestID: String?

    /// Adds `request_id` while a request id is bound.
    public static let metadataProvider = Logger.MetadataProvider {
        guard let requestID else { return [:] }
        return [metadataKey: .string(requestID)]
    }
}
