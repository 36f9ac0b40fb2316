import OrchestratorDomain

/// A version about to be recorded: everything but the row's own bookkeeping.
public struct VersionRegistration: Sendable {
    public var module: ModuleName
    public var version: SemanticVersion
    /// Stored as the text the user gave (with build metadata).
    public var versionText: String
    public var blob: BlobInfo
    public var interface: ModuleInterface
    public var createdBy: String
    public var createdAt: Double
    /// Set on the module when given (created on first use, updated later).
    public var description: String?
    public var owner: String?

    public init(
        module: ModuleName, version: SemanticVersion, versionText: String, blob: BlobInfo, interface: ModuleInterface,
        createdBy: String, createdAt: Double, description: String?, owner: String?
    ) {
        self.module = module
        self.version = version
        self.versionText = versionText
        self.blob = blob
        self.interface = interface
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.description = description
        self.owner = owner
    }
}

/// What ``ModuleCatalog/register(_:intent:audit:)`` did.
public enum RegistrationOutcome: Sendable, Equatable {
    /// A new row was written.
    case created(ModuleVersionRecord)
    /// The version already existed (possibly written by a concurrent upload); nothing changed.
    case existing(ModuleVersionRecord)
}

/// What ``ModuleCatalog/deleteVersion(module:key:audit:)`` did.
public enum VersionDeletionOutcome: Sendable, Equatable {
    case deleted(ModuleVersionRecord)
    case notFound
    /// A deployment referenced it once; it can never be deleted.
    case referenced(ModuleVersionRecord)
}

/// Identifies an upload in flight between "blob stored" and "row committed".
public struct UploadIntent: Sendable, Hashable {
    public let id: Int64
    public let digest: ContentDigest

    public init(id: Int64, digest: ContentDigest) {
        self.id = id
        self.digest = digest
    }
}

/// The module registry's tables. Both metadata stores implement it and run
/// the same contract suite.
///
/// **Blob safety.** An upload records an ``UploadIntent`` for its digest
/// *before* it stores the blob and removes it in the transaction that
/// commits the version. Garbage collection decides about a digest inside
/// ``collectBlob(_:intentsStartedAfter:delete:)``, which serialises with
/// ``beginUpload(digest:at:)`` for the same digest (PostgreSQL advisory
/// lock; SQLite's single writer). So a blob is deleted only when no version
/// row and no live intent names it, and an upload that starts afterwards
/// stores the blob again.
public protocol ModuleCatalog: Sendable {
    func module(named name: ModuleName) async throws -> ModuleRecord?
    func modules(_ query: ModuleQuery) async throws -> Page<ModuleRecord, String>

    /// Looks a version up by ``SemanticVersion/identityKey`` (no build metadata).
    func version(of module: ModuleName, key: String) async throws -> ModuleVersionRecord?
    /// Newest first; positions are opaque, increasing with registration order.
    func versions(_ query: VersionQuery) async throws -> Page<ModuleVersionRecord, Int64>

    /// Records that an upload of `digest` is about to store its blob.
    func beginUpload(digest: ContentDigest, at time: Double) async throws -> UploadIntent
    /// Forgets an intent whose upload failed before committing. Missing intents are ignored.
    func abandonUpload(_ intent: UploadIntent) async throws

    /// In one transaction: creates or updates the module, inserts the version
    /// unless one with the same identity exists, removes `intent`, and appends
    /// `audit` when a row was created.
    func register(_ registration: VersionRegistration, intent: UploadIntent?, audit: AuditEvent) async throws -> RegistrationOutcome

    /// Compare-and-set of a version's status, with its audit event, in one
    /// transaction. Returns the updated version, or `nil` when the version is
    /// gone or its status is no longer `expected`.
    func setStatus(
        module: ModuleName, key: String, expected: VersionStatus, to status: VersionStatus, audit: AuditEvent
    ) async throws -> ModuleVersionRecord?

    /// Deletes a version that nothing ever referenced, with its audit event.
    func deleteVersion(module: ModuleName, key: String, audit: AuditEvent) async throws -> VersionDeletionOutcome

    /// Marks a version as used by a deployment (idempotent; the first time sticks).
    func markReferenced(module: ModuleName, key: String, at time: Double) async throws

    /// Whether any version row names `digest`.
    func isDigestReferenced(_ digest: ContentDigest) async throws -> Bool

    /// Decides, serialised with uploads of the same digest, whether `digest`
    /// is garbage: no version row and no intent started after `cutoff`
    /// (older intents belong to crashed uploads and are removed). When it is,
    /// runs `delete` while still holding the serialisation and returns `true`.
    func collectBlob(
        _ digest: ContentDigest, intentsStartedAfter cutoff: Double, delete: @escaping @Sendable () async throws -> Void
    ) async throws -> Bool
}
