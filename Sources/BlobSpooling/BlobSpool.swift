import Crypto
import Foundation
import NIOCore
import NIOPosix
import OrchestratorDomain
import OrchestratorPorts

/// A blob streamed to a temporary file and hashed on the way.
public struct SpooledBlob: Sendable {
    /// Where the bytes are; the caller moves or removes the file.
    public let path: String
    public let info: BlobInfo
}

/// Streams a request body to a temporary file while computing its SHA-256.
///
/// Both blob stores use it: the file store renames the spool file into its
/// content address, the S3 store uploads it with a known length and the
/// hash as the signed payload checksum. Memory stays bounded by one chunk;
/// file writes run on the `NIOThreadPool` via `NonBlockingFileIO`.
public struct BlobSpool: Sendable {
    let directory: String
    let fileIO: NonBlockingFileIO
    let threadPool: NIOThreadPool

    /// - Parameter directory: where temporary files go; created when missing.
    public init(directory: String, threadPool: NIOThreadPool = .singleton) {
        self.directory = directory
        self.fileIO = NonBlockingFileIO(threadPool: threadPool)
        self.threadPool = threadPool
    }

    /// Writes `body` to a new temporary file. Throws ``PayloadTooLargeError``
    /// once more than `maxBytes` arrive, after removing the partial file.
    public func spool(_ body: some AsyncSequence<ByteBuffer, any Error> & Sendable, maxBytes: Int) async throws -> SpooledBlob {
        try await fileIO.createDirectory(path: directory, withIntermediateDirectories: true, mode: 0o700)
        let path = directory + "/upload-" + UUID().uuidString + ".part"
        do {
            let (digest, size) = try await fileIO.withFileHandle(
                path: path, mode: .write, flags: .allowFileCreation(posixMode: 0o600)
            ) { handle in
                var hasher = SHA256()
                var size = 0
                for try await chunk in body {
                    size += chunk.readableBytes
                    guard size <= maxBytes else { throw PayloadTooLargeError(limit: maxBytes) }
                    chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                    try await fileIO.write(fileHandle: handle, buffer: chunk)
                }
                try await threadPool.runIfActive {
                    try handle.withUnsafeFileDescriptor { descriptor in
                        guard fsync(descriptor) == 0 else { throw POSIXError(.EIO) }
                    }
                }
                return (ContentDigest(bytes: hasher.finalize()), size)
            }
            return SpooledBlob(path: path, info: BlobInfo(digest: digest, sizeBytes: size))
        } catch {
            try? await fileIO.remove(path: path)
            throw error
        }
    }

    /// Removes a spooled file; missing files are ignored.
    public func discard(_ blob: SpooledBlob) async {
        try? await fileIO.remove(path: blob.path)
    }
}
