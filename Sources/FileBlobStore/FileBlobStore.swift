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
        defer { try? FileManager.default.removeItem(atPath: spooled.path) }
        try await putFile(at: spooled.path, info: spooled.info)
        return spooled.info
    }

    /// Hard-links the file to a temporary name beside the store (copying when
    /// it lives on another file system), fsyncs, then renames it onto the
    /// content address: readers never see a partial blob. Identical content
    /// already in place is left alone.
    public func putFile(at path: String, info: BlobInfo) async throws {
        let destination = self.path(for: info.digest)
        do {
            if try await size(at: destination) == info.sizeBytes { return }
            try await fileIO.createDirectory(
                path: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true, mode: 0o700)
            try await fileIO.createDirectory(path: root + "/tmp", withIntermediateDirectories: true, mode: 0o700)
            let staging = root + "/tmp/link-" + UUID().uuidString
            try await NIOThreadPool.singleton.runIfActive {
                if link(path, staging) != 0 {
                    guard errno == EXDEV || errno == EPERM else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                    try FileManager.default.copyItem(atPath: path, toPath: staging)
                    let descriptor = open(staging, O_RDONLY)
                    if descriptor >= 0 {
                        _ = fsync(descriptor)
                        close(descriptor)
                    }
                }
                guard rename(staging, destination) == 0 else {
                    let code = errno
                    unlink(staging)
                    throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
                }
            }
        } catch {
            throw DependencyUnavailableError(dependency: healthName, reason: "storing blob failed: \(error)")
        }
    }

    /// Walks the two-level fan-out in order; cheap enough for `gc`, which pages through it.
    public func listBlobs(after: ContentDigest?, limit: Int) async throws -> [StoredBlob] {
        let base = root + "/sha256"
        return try await NIOThreadPool.singleton.runIfActive {
            let manager = FileManager.default
            guard let prefixes = try? manager.contentsOfDirectory(atPath: base) else { return [] }
            var found: [StoredBlob] = []
            for prefix in prefixes.sorted() where prefix.count == 2 && prefix >= String(after?.hex.prefix(2) ?? "") {
                let names = (try? manager.contentsOfDirectory(atPath: base + "/" + prefix)) ?? []
                for name in names.sorted() {
                    guard let digest = ContentDigest(hex: name), after.map({ name > $0.hex }) ?? true else { continue }
                    guard let attributes = try? manager.attributesOfItem(atPath: base + "/" + prefix + "/" + name) else { continue }
                    let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
                    let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                    found.append(StoredBlob(digest: digest, sizeBytes: size, lastModified: modified))
                    if found.count >= limit { return found }
                }
            }
            return found
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
