import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import OrchestratorDomain
import OrchestratorPorts
import Testing

/// One contract, every blob store: local files and S3 (SeaweedFS) run the same assertions.
@Suite("BlobStore contract")
struct BlobStoreContractTests {
    @Test("put hashes while streaming; get and head return the same bytes and size", arguments: BlobBackend.available)
    func roundTrip(backend: BlobBackend) async throws {
        try await backend.withStore { store, _ in
            let bytes = Payload.random(3 * 1024 * 1024 + 17)
            let info = try await store.put(Payload.stream(bytes), maxBytes: 10 * 1024 * 1024)
            #expect(info.digest == ContentDigest(bytes: SHA256.hash(data: bytes)))
            #expect(info.sizeBytes == bytes.count)
            #expect(try await store.head(info.digest) == info)
            let download = try #require(try await store.get(info.digest))
            #expect(download.info.sizeBytes == bytes.count)
            #expect(try await Payload.collect(download.body) == bytes)
            try await store.delete(info.digest)
        }
    }

    @Test("identical content is stored once under one address", arguments: BlobBackend.available)
    func deduplicates(backend: BlobBackend) async throws {
        try await backend.withStore { store, _ in
            let bytes = Payload.random(10_000)
            let first = try await store.put(Payload.stream(bytes, chunk: 1000), maxBytes: 1 << 20)
            let second = try await store.put(Payload.stream(bytes, chunk: 333), maxBytes: 1 << 20)
            #expect(first == second)
            #expect(try await Payload.collect(try #require(try await store.get(first.digest)).body) == bytes)
            try await store.delete(first.digest)
        }
    }

    @Test("an oversized body stops at the limit and leaves nothing behind", arguments: BlobBackend.available)
    func rejectsOversized(backend: BlobBackend) async throws {
        try await backend.withStore { store, scratch in
            let bytes = Payload.random(5000)
            try await Self.expectTooLarge { try await store.put(Payload.stream(bytes, chunk: 1000), maxBytes: 4999) }
            #expect(try await store.head(ContentDigest(bytes: SHA256.hash(data: bytes))) == nil)
            // An endless body returns too: the store stops reading once past the limit.
            try await Self.expectTooLarge { try await store.put(Payload.endless(), maxBytes: 1 << 20) }
            let leftovers = Self.files(under: scratch).filter { $0.hasSuffix(".part") }
            #expect(leftovers.isEmpty, "spool files left: \(leftovers)")
        }
    }

    @Test("a body exactly at the limit is accepted; empty bodies hash to the empty digest", arguments: BlobBackend.available)
    func limitBoundary(backend: BlobBackend) async throws {
        try await backend.withStore { store, _ in
            let bytes = Payload.random(4096)
            #expect(try await store.put(Payload.stream(bytes), maxBytes: 4096).sizeBytes == 4096)
            let empty = try await store.put(Payload.stream([]), maxBytes: 10)
            #expect(empty.digest.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            #expect(empty.sizeBytes == 0)
        }
    }

    @Test("delete removes the blob and is idempotent", arguments: BlobBackend.available)
    func delete(backend: BlobBackend) async throws {
        try await backend.withStore { store, _ in
            let info = try await store.put(Payload.stream(Payload.random(100)), maxBytes: 1000)
            try await store.delete(info.digest)
            #expect(try await store.head(info.digest) == nil)
            #expect(try await store.get(info.digest) == nil)
            try await store.delete(info.digest)
        }
    }

    @Test("presigned GET URLs serve the blob without credentials (S3) or are absent (files)", arguments: BlobBackend.available)
    func presign(backend: BlobBackend) async throws {
        try await backend.withStore { store, _ in
            let bytes = Payload.random(2048)
            let info = try await store.put(Payload.stream(bytes), maxBytes: 1 << 20)
            let url = try await store.presignedGetURL(for: info.digest, expiresInSeconds: 60)
            switch backend {
            case .files:
                #expect(url == nil)
            case .s3:
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: try #require(url)), timeout: .seconds(10))
                #expect(response.status.code == 200)
                #expect(Array(try await response.body.collect(upTo: 1 << 20).readableBytesView) == bytes)
                // Tampering with the signed URL is refused by the server.
                let tampered = try #require(url).replacingOccurrences(of: "X-Amz-Expires=60", with: "X-Amz-Expires=600")
                let refused = try await HTTPClient.shared.execute(HTTPClientRequest(url: tampered), timeout: .seconds(10))
                #expect(refused.status.code == 403)
            }
            try await store.delete(info.digest)
        }
    }

    @Test("ping answers", arguments: BlobBackend.available)
    func ping(backend: BlobBackend) async throws {
        try await backend.withStore { store, _ in try await store.ping() }
    }

    /// Fails unless `operation` throws ``PayloadTooLargeError``.
    static func expectTooLarge(_ operation: () async throws -> BlobInfo) async throws {
        do {
            let stored = try await operation()
            Issue.record("expected PayloadTooLargeError, stored \(stored.sizeBytes) bytes")
        } catch is PayloadTooLargeError {
            return
        }
    }

    static func files(under directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? []
    }
}
