import OrchestratorDomain

/// One upload, as the HTTP layer understood it. Names and versions are
/// still text: the registry validates them.
public struct UploadRequest: Sendable {
    public var moduleName: String
    public var version: String
    /// Sets the module's description (created on first use, updated when given).
    public var description: String?
    public var owner: String?
    /// Exports the binary must have; 422 names the missing ones.
    public var requiredExports: [String]
    public var actor: String
    public var requestID: String?

    public init(
        moduleName: String, version: String, description: String?, owner: String?, requiredExports: [String], actor: String, requestID: String?
    ) {
        self.moduleName = moduleName
        self.version = version
        self.description = description
        self.owner = owner
        self.requiredExports = requiredExports
        self.actor = actor
        self.requestID = requestID
    }
}

/// The stored version and whether this upload created it.
public struct UploadResult: Sendable {
    public var version: ModuleVersionRecord
    /// `false` when identical content was already registered (idempotent re-upload).
    public var created: Bool
}
