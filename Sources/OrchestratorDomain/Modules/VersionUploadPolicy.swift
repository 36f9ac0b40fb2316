/// What to do when content arrives for a module version, given what is stored.
///
/// Versions are immutable: the same bytes again are an idempotent success,
/// different bytes are a conflict that names both digests.
public enum VersionUploadDecision: Sendable, Equatable {
    /// No such version yet: store it.
    case create
    /// The version exists with exactly this content: answer 200 with the stored version.
    case identical
    /// The version exists with other content: answer 409.
    case conflict(existing: ContentDigest, uploaded: ContentDigest)
}

public enum VersionUploadPolicy {
    public static func decide(existing: ContentDigest?, uploaded: ContentDigest) -> VersionUploadDecision {
        guard let existing else { return .create }
        return existing == uploaded ? .identical : .conflict(existing: existing, uploaded: uploaded)
    }
}
