/// Who may download a module version's content.
///
/// Operators who may read the fleet may download any version. An agent may
/// download only content in its own node's desired state, and only while the
/// node is accepted, so a node credential learns nothing about other modules,
/// not even whether another version exists.
public enum ContentAccessRule {
    /// Whether an agent of a node in `admission` (`nil` when the credential does not carry it, as
    /// with an agent JWT) may download `digest`, given the digests in that node's desired state.
    public static func agentMay(download digest: ContentDigest, admission: AdmissionState?, desired: some Sequence<ContentDigest>) -> Bool {
        guard admission.map({ $0 == .accepted }) ?? true else { return false }
        return desired.contains(digest)
    }
}
