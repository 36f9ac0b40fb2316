import Foundation
import ModuleRegistry
import NIOConcurrencyHelpers
import NIOCore
import OrchestratorDomain
import OrchestratorPorts
import Testing
import WasmFixtures

/// The registry's rules, on the embedded default and on PostgreSQL + S3.
@Suite("Module registry contract")
struct RegistryContractTests {
    @Test("an upload is validated, stored and described", arguments: RegistryBackend.available)
    func upload(backend: RegistryBackend) async throws {
        try await backend.withRegistry { harness async throws in
            let bytes = WasmFixtures.wasiCommand()
            let result = try await harness.upload(bytes, module: "wasi-tool", version: "0.1.0", description: "a tool", actor: "carol")
            #expect(result.created)
            let version = result.version
            #expect(version.version == "0.1.0")
            #expect(version.sizeBytes == bytes.count)
            #expect(version.interface.kind == .module)
            #expect(version.interface.requiresWasi)
            #expect(version.status == .active)
            #expect(version.createdBy == "carol")
            #expect(try await harness.blobs.head(version.digest)?.sizeBytes == bytes.count)
            let module = try #require(try await harness.catalog.module(named: moduleName("wasi-tool")))
            #expect(module.description == "a tool")
            #expect(module.versionCount == 1)
            let audit = try await harness.catalog.recentAudit(limit: 5)
            #expect(audit.first?.action == "module.version.upload")
            #expect(audit.first?.target == "module:wasi-tool@0.1.0")
            #expect(audit.first?.requestID == "req-test")
        }
    }

    @Test("the same content again is idempotent; other content is a conflict naming both digests", arguments: RegistryBackend.available)
    func immutability(backend: RegistryBackend) async throws {
        try await backend.withRegistry { harness async throws in
            let first = try await harness.upload(WasmFixtures.hello())
            let again = try await harness.upload(WasmFixtures.hello())
            #expect(!again.created)
            #expect(again.version == first.version)
            let other = WasmFixtures.helloVariant(7)
            let error = await registryError { try await harness.upload(other) }
            guard case .versionConflict(_, _, let existing, let uploaded) = error else {
                Issue.record("expected a conflict, got \(String(describing: error))")
                return
            }
            #expect(existing == first.version.digest)
            #expect(uploaded != existing)
            // Build metadata does not make a new version.
            #expect(try await !harness.upload(WasmFixtures.hello(), version: "1.0.0+ci.42").created)
            #expect(await registryError { try await harness.upload(other, version: "1.0.0+ci.43") } != nil)
        }
    }

    @Test("invalid binaries are refused and leave nothing behind", arguments: RegistryBackend.available)
    func invalidBinaries(backend: RegistryBackend) async throws {
        try await backend.withRegistry { harness async throws in
            for bytes in [[], Array("not wasm at all".utf8), WasmFixtures.typeError(), Array(WasmFixtures.hello().dropLast(2))] {
                let error = await registryError { try await harness.upload(bytes) }
                guard case .invalidBinary = error else {
                    Issue.record("expected invalidBinary, got \(String(describing: error))")
                    continue
                }
            }
            #expect(try await harness.catalog.module(named: moduleName("hello")) == nil)
            #expect(try await harness.allBlobs().isEmpty)
        }
    }

    @Test("names and versions are checked before the body is read", arguments: RegistryBackend.available)
    func badNames(backend: RegistryBackend) async throws {
        try await backend.withRegistry { harness async throws in
            #expect(
                await registryError { try await harness.upload(WasmFixtures.hello(), module: "Hello_World") } == .invalidModuleName("Hello_World"))
            #expect(await registryError { try await harness.upload(WasmFixtures.hello(), version: "v1") } == .invalidVersion("v1"))
        }
    }

    @Test("required exports: missing ones are named; components cannot be checked", arguments: RegistryBackend.available)
    func requiredExports(backend: RegistryBackend) async throws {
        try await backend.withRegistry { harness async throws in
            #expect(
                await registryError {
                    try await harness.upload(WasmFixtures.hello(), requiredExports: ["handle", "init", "_start", "metrics"])
                } == .missingExports(["init", "metrics"]))
            #expect(try await harness.upload(WasmFixtures.hello(), requiredExports: ["handle", "_start"]).created)
            #expect(
                await registryError {
                    try await harness.upload(WasmFixtures.component(), module: "comp", requiredExports: ["run"])
                } == .exportsNotInspectable)
            let component = try await harness.upload(WasmFixtures.component(), module: "comp")
            #expect(component.version.interface.kind == .component)
        }
    }

    @Test("larger than the limit is refused without reading the rest", arguments: RegistryBackend.available)
    func sizeLimit(backend: RegistryBackend) async throws {
        try await backend.withRegistry(maxModuleBytes: 64 * 1024) { harness async throws in
            let consumed = NIOLockedValueBox(0)
            let endless = AsyncThrowingStream<ByteBuffer, any Error>(unfolding: {
                consumed.withLockedValue { $0 += 1 }
                return ByteBuffer(repeating: 0, count: 4096)
            })
            let request = UploadRequest(
                moduleName: "big", version: "1.0.0", description: nil, owner: nil, requiredExports: [], actor: "dev", requestID: nil)
            await #expect(throws: PayloadTooLargeError.self) { try await harness.registry.upload(request, body: endless) }
            #expect(consumed.withLockedValue { $0 } <= 64 * 1024 / 4096 + 2)
            #expect(try await harness.allBlobs().isEmpty)
        }
    }

    @Test("deprecate, yank, restore: allowed moves, idempotence, audit and authorisation", arguments: RegistryBackend.available)
    func lifecycle(backend: RegistryBackend) async throws {
        try await backend.withRegistry { harness async throws in
            try await harness.upload(WasmFixtures.hello())
            let asked = NIOLockedValueBox<[Action]>([])
            let allow: (Action) throws -> Void = { action in asked.withLockedValue { $0.append(action) } }
            func change(_ change: VersionStatusPolicy.Change) async throws -> VersionStatus {
                try await harness.registry.change(change, module: "hello", version: "1.0.0", actor: "ops", requestID: nil, authorize: allow).status
            }
            #expect(try await change(.deprecate) == .deprecated)
            #expect(try await change(.deprecate) == .deprecated)
            #expect(try await change(.yank) == .yanked)
            #expect(
                await registryError { _ = try await change(.deprecate) } == .illegalStatusChange(version: "1.0.0", from: .yanked, change: "deprecate")
            )
            #expect(try await change(.restore) == .active)
            #expect(asked.withLockedValue { $0 }.contains(.administer))  // restoring a yanked version
            let denied = await #expect(throws: (any Error).self) {
                try await harness.registry.change(.yank, module: "hello", version: "1.0.0", actor: "viewer", requestID: nil) { _ in
                    throw CancellationError()
                }
            }
            #expect(denied is CancellationError)
            #expect(try await harness.registry.version(module: "hello", version: "1.0.0").status == .active)
            let actions = try await harness.catalog.recentAudit(limit: 10).map(\.action)
            #expect(actions.prefix(4) == ["module.version.restore", "module.version.yank", "module.version.deprecate", "module.version.upload"])
        }
    }

    @Test("delete: only versions nothing ever referenced", arguments: RegistryBackend.available)
    func deletion(backend: RegistryBackend) async throws {
        try await backend.withRegistry { harness async throws in
            try await harness.upload(WasmFixtures.hello(), version: "1.0.0")
            try await harness.upload(WasmFixtures.helloVariant(3), version: "1.1.0")
            let name = try moduleName("hello")
            try await harness.catalog.markReferenced(module: name, key: "1.1.0", at: 1)
            #expect(try await harness.registry.delete(module: "hello", version: "1.0.0", actor: "admin", requestID: nil).version == "1.0.0")
            #expect(
                await registryError { _ = try await harness.registry.delete(module: "hello", version: "1.0.0", actor: "admin", requestID: nil) }
                    == .notFound("module 'hello' has no version 1.0.0"))
            #expect(
                await registryError { _ = try await harness.registry.delete(module: "hello", version: "1.1.0", actor: "admin", requestID: nil) }
                    == .versionReferenced("1.1.0"))
            #expect(try await harness.registry.version(module: "hello", version: "1.1.0").firstReferencedAt == 1)
            #expect(try await harness.catalog.recentAudit(limit: 1).first?.action == "module.version.delete")
        }
    }

    @Test("listings page by cursor and filter by prefix, kind and status", arguments: RegistryBackend.available)
    func listings(backend: RegistryBackend) async throws {
        try await backend.withRegistry { harness async throws in
            for name in ["edge-a", "edge-b", "edge-c", "core-x", "edge-d"] {
                try await harness.upload(WasmFixtures.hello(), module: name)
            }
            try await harness.upload(WasmFixtures.component(), module: "edge-c", version: "2.0.0")
            var names: [String] = []
            var after: String?
            repeat {
                let page = try await harness.catalog.modules(ModuleQuery(namePrefix: "edge-", afterName: after, limit: 2))
                #expect(page.items.count <= 2)
                names += page.items.map(\.name.value)
                after = page.next
            } while after != nil
            #expect(names == ["edge-a", "edge-b", "edge-c", "edge-d"])
            #expect(try await harness.catalog.modules(ModuleQuery(kind: .component)).items.map(\.name.value) == ["edge-c"])

            let module = try moduleName("edge-c")
            try await harness.upload(WasmFixtures.helloVariant(9), module: "edge-c", version: "1.1.0")
            _ = try await harness.registry.change(.yank, module: "edge-c", version: "1.0.0", actor: "ops", requestID: nil) { _ in }
            let first = try await harness.catalog.versions(VersionQuery(module: module, limit: 2))
            #expect(first.items.map(\.version) == ["1.1.0", "2.0.0"])
            let second = try await harness.catalog.versions(VersionQuery(module: module, afterPosition: first.next, limit: 2))
            #expect(second.items.map(\.version) == ["1.0.0"])
            #expect(second.next == nil)
            #expect(try await harness.catalog.versions(VersionQuery(module: module, status: .yanked)).items.map(\.version) == ["1.0.0"])
            #expect(try await harness.catalog.versions(VersionQuery(module: module, kind: .component)).items.map(\.version) == ["2.0.0"])
            #expect(try await harness.catalog.modules(ModuleQuery(status: .yanked)).items.map(\.name.value) == ["edge-c"])
        }
    }
}
