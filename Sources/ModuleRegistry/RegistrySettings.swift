import OrchestratorDomain
import WasmInspection

/// Limits and places the registry works with.
public struct RegistrySettings: Sendable {
    /// Largest accepted binary; seed 004's limit is 50 MB.
    public var maxModuleBytes: Int
    /// How many uploads may be parsed and validated at once. Validation holds
    /// a parsed copy of the module in memory, so this bounds memory too.
    public var maxConcurrentValidations: Int
    /// Where uploads are spooled while they are hashed and validated.
    public var spoolDirectory: String
    /// An upload intent older than this belongs to a crashed upload and no
    /// longer protects its blob from garbage collection.
    public var uploadIntentTTLSeconds: Double
    /// What a module may declare (memories, tables, functions, segments, …); more is refused with 422.
    public var validationLimits: ValidationLimits
    /// How long one validation may run once it has a worker thread; past it, it is stopped and refused with 422.
    public var validationDeadline: Duration

    public init(
        maxModuleBytes: Int = 50 * 1024 * 1024, maxConcurrentValidations: Int = 2, spoolDirectory: String, uploadIntentTTLSeconds: Double = 3600,
        validationLimits: ValidationLimits = .defaults, validationDeadline: Duration = .seconds(5)
    ) {
        self.maxModuleBytes = maxModuleBytes
        self.maxConcurrentValidations = maxConcurrentValidations
        self.spoolDirectory = spoolDirectory
        self.uploadIntentTTLSeconds = uploadIntentTTLSeconds
        self.validationLimits = validationLimits
        self.validationDeadline = validationDeadline
    }
}

/// Test seams for crash-consistency tests. Production leaves them empty.
public struct RegistryHooks: Sendable {
    /// Runs after the blob is stored and before the version row is committed.
    /// Throwing here simulates a crash at the worst moment.
    public var afterBlobStored: @Sendable (ContentDigest) async throws -> Void

    public init(afterBlobStored: @escaping @Sendable (ContentDigest) async throws -> Void = { _ in }) {
        self.afterBlobStored = afterBlobStored
    }
}
