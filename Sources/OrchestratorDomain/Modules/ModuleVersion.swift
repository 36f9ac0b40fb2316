/// A registered module: a name that groups immutable versions.
public struct ModuleRecord: Sendable, Hashable, Codable {
    public var name: ModuleName
    public var description: String
    /// The owning person or team, free text (e.g. `team-edge`).
    public var owner: String?
    public var createdBy: String
    /// Seconds since 1970, UTC.
    public var createdAt: Double
    public var updatedAt: Double
    /// How many versions exist (any status).
    public var versionCount: Int

    public init(name: ModuleName, description: String, owner: String?, createdBy: String, createdAt: Double, updatedAt: Double, versionCount: Int) {
        self.name = name
        self.description = description
        self.owner = owner
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.versionCount = versionCount
    }
}

/// One immutable version of a module: its content is fixed by `digest`.
public struct ModuleVersionRecord: Sendable, Hashable, Codable {
    public var module: ModuleName
    /// As uploaded, including any build metadata.
    public var version: String
    public var digest: ContentDigest
    public var sizeBytes: Int
    public var interface: ModuleInterface
    public var status: VersionStatus
    public var createdBy: String
    public var createdAt: Double
    /// When a deployment first used this version; a referenced version can never be deleted.
    public var firstReferencedAt: Double?

    public init(
        module: ModuleName, version: String, digest: ContentDigest, sizeBytes: Int, interface: ModuleInterface,
        status: VersionStatus, createdBy: String, createdAt: Double, firstReferencedAt: Double?
    ) {
        self.module = module
        self.version = version
        self.digest = digest
        self.sizeBytes = sizeBytes
        self.interface = interface
        self.status = status
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.firstReferencedAt = firstReferencedAt
    }

    /// `module:<name>@<version>`, the audit target.
    public var auditTarget: String { "module:\(module)@\(version)" }
}

extension SemanticVersion {
    /// The identity of a version inside a module: the text without build
    /// metadata, which semver says does not affect precedence. `1.0.0+a` and
    /// `1.0.0+b` are the same version; a second upload of it follows the
    /// immutability rules.
    public var identityKey: String {
        var text = "\(major).\(minor).\(patch)"
        if !preRelease.isEmpty { text += "-" + preRelease.joined(separator: ".") }
        return text
    }
}
