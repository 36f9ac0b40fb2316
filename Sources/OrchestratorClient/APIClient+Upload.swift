import AsyncHTTPClient
import BlobSpooling
import Foundation
import NIOCore
import NIOHTTP1

extension APIClient {
    /// Streams the file at `path` as the body of `PUT path`, in chunks read on the NIO thread pool, so a 50 MB
    /// module never sits in memory. `progress` is called with the bytes sent so far.
    public func upload(
        _ resourcePath: String, file: String, query: [(String, String?)] = [], headers: [(String, String)] = [],
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> Response {
        let size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            guard attributes[.type] as? FileAttributeType == .typeRegular else { throw ClientError.usage("\(file) is not a regular file") }
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError.usage("cannot read \(file)")
        }
        var request = makeRequest(.PUT, resourcePath, query: query, headers: headers)
        request.headers.add(name: "Content-Type", value: "application/wasm")
        let sent = SentBytes()
        let chunks = FileChunks.stream(path: file, size: size).map { chunk -> ByteBuffer in
            progress(sent.add(chunk.readableBytes), size)
            return chunk
        }
        request.body = .stream(chunks, length: .known(Int64(size)))
        // A slow link may need minutes for 50 MB; the per-request deadline covers the whole upload.
        return try await execute(request, timeout: .minutes(30))
    }
}

/// Bytes sent so far; the body stream is consumed by one task at a time.
private final class SentBytes: @unchecked Sendable {
    private var total = 0

    func add(_ count: Int) -> Int {
        total += count
        return total
    }
}
