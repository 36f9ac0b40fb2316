import NIOCore
import OrchestratorDomain

/// A stored blob's identity and size.
public struct BlobInfo: Sendable, Hashable {
    public let digest: ContentDigest
    public let sizeBytes: Int

    public init(digest: ContentDigest, sizeBytes: Int) {
        self.digest = digest
        self.sizeBytes = sizeBytes
    }
}

/// A blob being read: its size, known up front, and its bytes as a stream.
public struct BlobDownload: Sendable {
    public let info: BlobInfo
    public let body: AsyncThrowingStream<ByteBuffer, any Error>

    public init(info: BlobInfo, body: AsyncThrowingStream<ByteBuffer, any Error>) {
        self.info = info
        self.body = body
    }
}

/// One stored blob, as listed for garbage collection.
public struct StoredBlob: Sendable, Hashable {
    public let digest: ContentDigest
    public let sizeBytes: Int
    /// When the blob was last written, seconds since 1970.
    public let lastModified: Double

    public init(digest: ContentDigest, sizeBytes: Int, lastModified: Double) {
        self.digest = digest
        self.sizeBytes = sizeBytes
        self.lastModified = lastModified
    }
}

/// Content-addressed blob storage: S3 in production, files embedded.
///
/// Blobs are keyed by their SHA-256, computed while the bytes stream in, so
/// the caller never has to trust a client-declared digest and identical
/// content is stored once.
public protocol BlobStore: Sendable {
    /// The name this store reports under `/health/ready` (`minio` or `filesystem`).
    var healthName: String { get }

    /// Streams `body` into the store, hashing as it writes, and returns the
    /// digest and size. Throws ``PayloadTooLargeError`` as soon as more than
    /// `maxBytes` have arrived, without reading the rest; nothing is left behind
    /// under the content address in that case.
    func put(_ body: some AsyncSequence<ByteBuffer, any Error> & Sendable, maxBytes: Int) async throws -> BlobInfo

    /// Stores a local file whose digest and size the caller computed while
    /// writing it (see `BlobSpool`), without hashing it again. The S3 store
    /// signs the digest as the payload hash, so AWS S3 verifies the bytes (SeaweedFS does not); the
    /// file store links or copies the file into place. The file is left
    /// where it is: the caller removes it.
    func putFile(at path: String, info: BlobInfo) async throws

    /// Up to `limit` blobs in digest order, starting after `after`.
    func listBlobs(after: ContentDigest?, limit: Int) async throws -> [StoredBlob]

    /// Opens the blob for streaming, or `nil` when it does not exist.
    func get(_ digest: ContentDigest) async throws -> BlobDownload?

    /// The blob's size, or `nil` when it does not exist.
    func head(_ digest: ContentDigest) async throws -> BlobInfo?

    /// Removes the blob. Removing an absent blob is not an error.
    func delete(_ digest: ContentDigest) async throws

    /// A time-limited URL a client can GET without credentials, or `nil`
    /// when this store cannot hand out direct URLs (local files).
    func presignedGetURL(for digest: ContentDigest, expiresInSeconds: Int) async throws -> String?

    /// A cheap round trip proving the store answers.
    func ping() async throws
}
