import Crypto
import Foundation
import ModuleRegistry
import NIOConcurrencyHelpers
import NIOCore
import OrchestratorDomain
import OrchestratorPorts
import Testing
import WasmFixtures

/// Content addressing, crash consistency and garbage collection, on every stack.
@Suite("Module registry storage")
struct RegistryStorageTests {
    struct InjectedCrash: Error {}

    @Test("identical content under several names and versions is stored once", arguments: RegistryBackend.available)
    func deduplication(backend: RegistryBackend) async throws {
        try await backend.withRegistry { harness async throws in
            let a = try await harness.upload(WasmFixtures.hello(), module: "a", version: "1.0.0")
            let b = try await harness.upload(WasmFixtures.hello(), module: "b", version: "3.1.4")
            #expect(a.version.digest == b.version.digest)
            #expect(try await harness.allBlobs().map(\.digest) == [a.version.digest])
        }
    }

    @Test("a crash between blob and commit leaves an orphan blob, never a row; gc collects it", arguments: RegistryBackend.available)
    func crashBetweenBlobAndCommit(backend: RegistryBackend) async throws {
        let hooks = RegistryHooks(afterBlobStored: { _ in throw InjectedCrash() })
        try await backend.withRegistry(hooks: hooks) { harness async throws in
            await #expect(throws: InjectedCrash.self) { try await harness.upload(WasmFixtures.hello()) }
            #expect(try await harness.catalog.module(named: moduleName("hello")) == nil)
            let orphans = try await harness.allBlobs()
            #expect(orphans.count == 1)
            let report = try await harness.registry.collectGarbage(graceSeconds: 0)
            #expect(report.deleted == 1)
            #expect(report.bytesFreed == WasmFixtures.hello().count)
            #expect(try await harness.allBlobs().isEmpty)
        }
    }

    @Test("a process that died mid-upload protects its blob until the intent expires", arguments: RegistryBackend.available)
    func deadUploadIntent(backend: RegistryBackend) async throws {
        let clock = TestClock()
        try await backend.withRegistry(clock: clock) { harness async throws in
            // What a killed process leaves: an intent and a stored blob, no version, no cleanup.
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("dead")).path
            let bytes = WasmFixtures.hello()
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let info = BlobInfo(digest: ContentDigest(bytes: sha256(bytes)), sizeBytes: bytes.count)
            _ = try await harness.catalog.beginUpload(digest: info.digest, at: clock.now)
            try await harness.blobs.putFile(at: path, info: info)

            let early = try await harness.registry.collectGarbage(graceSeconds: 0)
            #expect(early.deleted == 0)
            #expect(early.kept == 1)
            clock.advance(by: harness.registry.settings.uploadIntentTTLSeconds + 1)
            let late = try await harness.registry.collectGarbage(graceSeconds: 0)
            #expect(late.deleted == 1)
            #expect(try await harness.allBlobs().isEmpty)
        }
    }

    @Test("gc never deletes a referenced blob, nor one younger than the grace period", arguments: RegistryBackend.available)
    func gcKeepsReferencedAndYoung(backend: RegistryBackend) async throws {
        let crashing = NIOLockedValueBox(false)
        let hooks = RegistryHooks(afterBlobStored: { _ in if crashing.withLockedValue({ $0 }) { throw InjectedCrash() } })
        try await backend.withRegistry(hooks: hooks) { harness async throws in
            let kept = try await harness.upload(WasmFixtures.hello())
            crashing.withLockedValue { $0 = true }
            await #expect(throws: InjectedCrash.self) { try await harness.upload(WasmFixtures.helloVariant(5), version: "2.0.0") }
            let dry = try await harness.registry.collectGarbage(graceSeconds: 0, dryRun: true)
            #expect(dry.deleted == 1)
            #expect(try await harness.allBlobs().count == 2)  // a dry run deletes nothing
            let young = try await harness.registry.collectGarbage(graceSeconds: 3600)
            #expect(young.deleted == 0)
            #expect(young.young == 2)
            let report = try await harness.registry.collectGarbage(graceSeconds: 0)
            #expect(report.deleted == 1)
            #expect(report.kept == 1)
            #expect(try await harness.allBlobs().map(\.digest) == [kept.version.digest])
            #expect(try await harness.blobs.get(kept.version.digest) != nil)
        }
    }

    @Test("gc racing an upload in flight never removes the blob that upload commits", arguments: RegistryBackend.available)
    func gcRacesUpload(backend: RegistryBackend) async throws {
        let gate = UploadGate()
        let hooks = RegistryHooks(afterBlobStored: { _ in await gate.pause() })
        try await backend.withRegistry(hooks: hooks) { harness async throws in
            async let upload = harness.upload(WasmFixtures.hello())
            await gate.waitUntilPaused()
            // The blob is stored, the row is not: the worst moment for a collector.
            let report = try await harness.registry.collectGarbage(graceSeconds: 0)
            #expect(report.deleted == 0)
            #expect(report.kept == 1)
            await gate.resume()
            let result = try await upload
            #expect(result.created)
            let download = try #require(try await harness.blobs.get(result.version.digest))
            var received = 0
            for try await chunk in download.body { received += chunk.readableBytes }
            #expect(received == WasmFixtures.hello().count)
            #expect(try await harness.registry.collectGarbage(graceSeconds: 0).deleted == 0)
        }
    }

    @Test("many concurrent uploads of one version agree on a single row", arguments: RegistryBackend.available)
    func concurrentSameVersion(backend: RegistryBackend) async throws {
        try await backend.withRegistry { harness async throws in
            let created = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<6 { group.addTask { try await harness.upload(WasmFixtures.hello()).created } }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(created == 1)
            let versions = try await harness.catalog.versions(VersionQuery(module: moduleName("hello")))
            #expect(versions.items.count == 1)
        }
    }
}

/// Holds an upload after its blob is stored until the test releases it.
actor UploadGate {
    private var paused: CheckedContinuation<Void, Never>?
    private var pausedWaiters: [CheckedContinuation<Void, Never>] = []
    private var isPaused = false

    func pause() async {
        isPaused = true
        pausedWaiters.forEach { $0.resume() }
        pausedWaiters = []
        await withCheckedContinuation { paused = $0 }
    }

    func waitUntilPaused() async {
        if isPaused { return }
        await withCheckedContinuation { pausedWaiters.append($0) }
    }

    func resume() {
        paused?.resume()
        paused = nil
    }
}

func sha256(_ bytes: [UInt8]) -> [UInt8] {
    Array(SHA256.hash(data: bytes))
}
