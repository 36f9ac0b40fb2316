import OrchestratorDomain

extension NodeService {
    /// Whether the agent of node `id` may download the content with `digest`: see ``ContentAccessRule``.
    ///
    /// - Parameter admission: the admission its credential carries, or `nil` (an agent JWT), in which
    ///   case the node's desired state alone decides.
    public func agentMayDownload(_ digest: ContentDigest, node id: NodeID, admission: AdmissionState?) async throws -> Bool {
        guard admission.map({ $0 == .accepted }) ?? true else { return false }
        let desired = try await desiredState.snapshot(for: id).modules.map(\.digest)
        return ContentAccessRule.agentMay(download: digest, admission: admission, desired: desired)
    }
}
