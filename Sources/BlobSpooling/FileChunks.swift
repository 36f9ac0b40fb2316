import NIOCore
import NIOPosix

/// Reads a file as a stream of chunks on the `NIOThreadPool`.
///
/// Each chunk opens the file, reads at an offset and closes it again, so an
/// abandoned stream never leaks a descriptor.
public enum FileChunks {
    public static func stream(
        path: String,
        size: Int,
        chunkSize: Int = 256 * 1024,
        fileIO: NonBlockingFileIO = NonBlockingFileIO(threadPool: .singleton)
    ) -> AsyncThrowingStream<ByteBuffer, any Error> {
        let offset = OffsetBox()
        return AsyncThrowingStream(unfolding: {
            let start = offset.take(upTo: size, chunk: chunkSize)
            guard let start else { return nil }
            let count = min(chunkSize, size - start)
            let buffer = try await fileIO.withFileHandle(path: path, mode: .read) { handle in
                try await fileIO.read(fileHandle: handle, fromOffset: Int64(start), byteCount: count, allocator: ByteBufferAllocator())
            }
            guard buffer.readableBytes == count else { throw FileTruncatedError(path: path) }
            return buffer
        })
    }

    /// The file became shorter than its recorded size while it was being read.
    public struct FileTruncatedError: Error {
        public let path: String
    }
}

/// The next offset to read; the unfolding closure is called serially.
private final class OffsetBox: @unchecked Sendable {
    private var next = 0

    func take(upTo size: Int, chunk: Int) -> Int? {
        guard next < size else { return nil }
        defer { next += chunk }
        return next
    }
}
