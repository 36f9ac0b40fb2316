import AsyncHTTPClient
import BlobSpooling
import Logging
import NIOCore
import OrchestratorDomain
import OrchestratorPorts

/// Content-addressed blobs in an S3 bucket, under `<keyPrefix>sha256/<hex>`
/// (default prefix `blobs/`, so several installations can share a bucket).
///
/// Uploads are spooled to a local temporary file while hashed (memory stays
/// at one chunk), then sent with a known length and the SHA-256 as the
/// signed payload hash, so AWS S3 rejects a corrupted transfer (SeaweedFS 4.48
/// accepts any hash, so there the spool's own SHA-256 is the only check). Every S3
/// failure other than "not found" surfaces as ``DependencyUnavailableError``
/// (the API answers 503); the S3 error code is kept for the log.
public struct S3BlobStore: BlobStore {
    public let healthName = "minio"
    public let client: S3Client
    let spool: BlobSpool
    let logger: Logger
    /// Prepended to every key; ends with `/` unless empty.
    public let keyPrefix: String

    /// - Parameters:
    ///   - spoolDirectory: local scratch space for uploads in flight.
    ///   - keyPrefix: where in the bucket blobs live (default `blobs/`).
    public init(client: S3Client, spoolDirectory: String, logger: Logger, keyPrefix: String = "blobs/") {
        self.client = client
        self.spool = BlobSpool(directory: spoolDirectory)
        self.logger = logger
        self.keyPrefix = keyPrefix.isEmpty || keyPrefix.hasSuffix("/") ? keyPrefix : keyPrefix + "/"
    }

    func key(for digest: ContentDigest) -> String {
        "\(keyPrefix)sha256/\(digest.hex)"
    }

    public func put(_ body: some AsyncSequence<ByteBuffer, any Error> & Sendable, maxBytes: Int) async throws -> BlobInfo {
        let spooled = try await spool.spool(body, maxBytes: maxBytes)
        do {
            try await putFile(at: spooled.path, info: spooled.info)
            await spool.discard(spooled)
            return spooled.info
        } catch {
            await spool.discard(spooled)
            throw error
        }
    }

    /// Uploads unless an object of the same size already sits at the content
    /// address. The digest is the signed payload hash, so AWS S3 refuses the PUT
    /// if the file's bytes do not match it.
    public func putFile(at path: String, info: BlobInfo) async throws {
        let key = key(for: info.digest)
        if try await translated({ try await client.headObject(key: key) }) == info.sizeBytes { return }
        try await translated {
            try await client.putObject(
                key: key, size: info.sizeBytes, sha256Hex: info.digest.hex,
                body: FileChunks.stream(path: path, size: info.sizeBytes))
        }
    }

    public func listBlobs(after: ContentDigest?, limit: Int) async throws -> [StoredBlob] {
        let prefix = keyPrefix + "sha256/"
        let objects = try await translated {
            try await client.listObjects(prefix: prefix, startAfter: after.map { prefix + $0.hex }, maxKeys: limit)
        }
        return objects.compactMap { object in
            ContentDigest(hex: String(object.key.dropFirst(prefix.count))).map {
                StoredBlob(digest: $0, sizeBytes: object.size, lastModified: object.lastModified)
            }
        }
    }

    public func get(_ digest: ContentDigest) async throws -> BlobDownload? {
        guard let object = try await translated({ try await client.getObject(key: key(for: digest)) }) else { return nil }
        return BlobDownload(info: BlobInfo(digest: digest, sizeBytes: object.size), body: object.body)
    }

    public func head(_ digest: ContentDigest) async throws -> BlobInfo? {
        try await translated { try await client.headObject(key: key(for: digest)) }
            .map { BlobInfo(digest: digest, sizeBytes: $0) }
    }

    public func delete(_ digest: ContentDigest) async throws {
        try await translated { try await client.deleteObject(key: key(for: digest)) }
    }

    public func presignedGetURL(for digest: ContentDigest, expiresInSeconds: Int) async throws -> String? {
        client.presignedGetURL(key: key(for: digest), expiresInSeconds: expiresInSeconds)
    }

    public func ping() async throws {
        try await translated { try await client.checkBucket() }
    }

    /// Maps transport errors and S3 error answers to ``DependencyUnavailableError``.
    private func translated<T: Sendable>(_ operation: @Sendable () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as S3Error {
            let hint = error.isCredentialError ? " — S3 refused the credentials; check s3.accessKey and s3.secretKey" : ""
            throw DependencyUnavailableError(dependency: healthName, reason: "\(error)\(hint)")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw DependencyUnavailableError(dependency: healthName, reason: String(describing: error))
        }
    }
}
