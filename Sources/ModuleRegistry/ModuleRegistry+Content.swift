import OrchestratorDomain
import OrchestratorPorts

/// How a module version's content is delivered.
public enum ModuleContent: Sendable {
    /// A presigned URL the client fetches the bytes from itself.
    case redirect(url: String)
    /// The bytes, streamed from the blob store.
    case stream(BlobDownload)
}

extension ModuleRegistry {
    /// The content of `record`: a presigned URL when `policy` asks for redirects and the blob store can
    /// make one (after checking the blob exists), else a stream. `nil` when the blob is missing from
    /// storage, which is an operator's problem (restore from backup), not the client's.
    public func content(of record: ModuleVersionRecord, policy: DownloadPolicy) async throws -> ModuleContent? {
        if policy.redirect, let url = try await blobs.presignedGetURL(for: record.digest, expiresInSeconds: policy.presignSeconds) {
            guard try await blobs.head(record.digest) != nil else { return nil }
            return .redirect(url: url)
        }
        return try await blobs.get(record.digest).map(ModuleContent.stream)
    }
}
