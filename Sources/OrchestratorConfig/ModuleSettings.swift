import WasmInspection

/// Module registry settings.
public struct ModuleSettings: Sendable {
    /// How `GET …/versions/{version}/content` answers.
    public enum DownloadMode: String, Sendable {
        /// Stream the bytes through the server (works with every blob store).
        case proxy
        /// `307` to a short-lived presigned S3 URL; falls back to `proxy` on the file store.
        case redirect
    }

    /// `modules.maxBytes` — largest accepted binary. Default 50 MiB (seed 004's 50 MB limit).
    public var maxBytes: Int
    /// `modules.download` — `proxy` (default) or `redirect`.
    public var download: DownloadMode
    /// `modules.presignSeconds` — lifetime of a redirect URL. Default 300.
    public var presignSeconds: Int
    /// `modules.validationConcurrency` — uploads parsed and validated at once. Default 2.
    public var validationConcurrency: Int
    /// `modules.gcGraceSeconds` — `gc` leaves unreferenced blobs younger than this. Default 3600.
    public var gcGraceSeconds: Int
    /// `modules.validation.<limit>` — what a module may declare (see ``ValidationLimits``
    /// for each limit and its default, e.g. `modules.validation.maxTableEntries`).
    public var validationLimits: ValidationLimits
    /// `modules.validation.deadlineMillis` — longest one validation may run before it is stopped and refused (422). Default 5000.
    public var validationDeadlineMillis: Int
    /// `<data.dir>/uploads` — where uploads are spooled while hashed and validated.
    public var spoolDirectory: String

    init(_ values: ConfigValues, dataDirectory: String) throws {
        maxBytes = try values.int("modules.maxBytes", default: 50 * 1024 * 1024, range: 1024...(1 << 31))
        download = try values.oneOf("modules.download", default: .proxy, DownloadMode.self)
        presignSeconds = try values.int("modules.presignSeconds", default: 300, range: 10...3600)
        validationConcurrency = try values.int("modules.validationConcurrency", default: 2, range: 1...64)
        gcGraceSeconds = try values.int("modules.gcGraceSeconds", default: 3600, range: 0...(30 * 86400))
        var limits = ValidationLimits.defaults
        for limit in ValidationLimits.Limit.allCases {
            let value = try values.int(limit.key, default: Int(clamping: limits[limit]), range: 1...(1 << 48))
            limits[limit] = UInt64(value)
        }
        validationLimits = limits
        validationDeadlineMillis = try values.int("modules.validation.deadlineMillis", default: 5000, range: 10...600_000)
        spoolDirectory = dataDirectory + "/uploads"
    }
}
