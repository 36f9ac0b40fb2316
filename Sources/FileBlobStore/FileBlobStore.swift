import BlobSpooling
import Foundation
import NIOCore
import NIOPosix
import OrchestratorDomain
import OrchestratorPorts

/// Content-addressed blobs as files: `<root>/sha256/<first two hex>/<hex>`.
///
/// Uploads are spooled into `<root>/tmp` (same file system) and renamed into
/// place, so a blob path either holds complete, fsynced content or does not
/// exist. All file work runs on `NIOThreadPool`.
public struct FileBlobStore: BlobStore {
    public let healthName = "filesystem"
    let root: String
    let spool: BlobSpool
    let fileIO = NonBlockingFileIO(threadPool: .singleton)

    public init(root: String) {
        self.root = root
        self.spool = BlobSpool(directory: root + "/tmp")
    }

    func path(for digest: ContentDigest) -> String {
        "\(root)/sha256/\(digest.hex.prefix(2))/\(digest.hex)"
    }

    public func put(_ body: some AsyncSequence<ByteBuffer, any Error> & Sendable, maxBytes: Int) async throws -> BlobInfo {
        let spooled = try await spool.spool(body, maxBytes: maxBytes)
        let destination = path(for: spooled.info.digest)
        do {
            try await fileIO.createDirectory(
                path: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true, mode: 0o700)
            if try await size(at: destination) == spooled.info.sizeBytes {
                await spool.discard(spooled)  // identical content is already stored
            } else {
                try await fileIO.rename(path: spooled.path, newName: destination)
            }
            return spooled.info
        } catch {
            await spool.discard(spooled)
            throw DependencyUnavailableError(dependency: healthName, reason: "storing blob failed: \(error)")
        }
    }

    public func get(_ digest: ContentDigest) async throws -> BlobDownload? {
        let location = path(for: digest)
        guard let size = try await size(at: location) else { return nil }
        return BlobDownload(info: BlobInfo(digest: digest, sizeBytes: size), body: FileChunks.stream(path: location, size: size))
    }

    public func head(_ digest: ContentDigest) async throws -> BlobInfo? {
        try await size(at: path(for: digest)).map { BlobInfo(digest: digest, sizeBytes: $0) }
    }

    public func delete(_ digest: ContentDigest) async throws {
        do {
            try await fileIO.remove(path: path(for: digest))
        } catch let error as IOError where error.errnoCode == ENOENT {
            return
        }
    }

    /// Local files cannot be fetched without the server; downloads are proxied.
    public func presignedGetURL(for digest: ContentDigest, expiresInSeconds: Int) async throws -> String? {
        nil
    }

    /// Proves the root is a writable directory.
    public func ping() async throws {
        do {
            try await fileIO.createDirectory(path: root + "/tmp", withIntermediateDirectories: true, mode: 0o700)
            let probe = root + "/tmp/.ping-" + UUID().uuidString
            try await fileIO.withFileHandle(path: probe, mode: .write, flags: .allowFileCreation(posixMode: 0o600)) { _ in }
            try await fileIO.remove(path: probe)
        } catch {
            throw DependencyUnavailableError(dependency: healthName, reason: "blob directory not writable: \(error)")
        }
    }

    private func size(at path: String) async throws -> Int? {
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                return (attributes[.size] as? NSNumber)?.intValue ?? 0
            }
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return nil
        }
    }
}
