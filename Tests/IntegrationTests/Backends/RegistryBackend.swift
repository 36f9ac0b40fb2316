import FileBlobStore
import Foundation
import Logging
import ModuleRegistry
import NIOConcurrencyHelpers
import NIOCore
import OrchestratorApp
import OrchestratorDomain
import OrchestratorPorts
import S3BlobStore
import Testing

/// The registry over each real stack: the embedded default (SQLite + files)
/// and production (PostgreSQL + SeaweedFS S3).
enum RegistryBackend: String, CaseIterable, CustomTestStringConvertible {
    case embedded
    case production

    var testDescription: String { rawValue }

    static var available: [RegistryBackend] {
        TestServices.hasPostgres && TestServices.hasS3 ? [.embedded, .production] : [.embedded]
    }

    var metadata: MetadataBackend { self == .embedded ? .sqlite : .postgres }

    /// Runs `body` with a migrated catalog and an empty blob store. On S3
    /// each run gets its own key prefix, so garbage collection in one test
    /// never sees another test's blobs.
    func withRegistry<T: Sendable>(
        maxModuleBytes: Int = 8 * 1024 * 1024,
        hooks: RegistryHooks = RegistryHooks(),
        clock: TestClock = TestClock(),
        _ body: @Sendable (RegistryHarness) async throws -> T
    ) async throws -> T {
        let dialect = metadata.dialect
        return try await metadata.withStore { catalog in
            _ = try await catalog.migrate(try BundledResources.migrations(for: dialect))
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("registry")).path
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let blobs: any BlobStore =
                switch self {
                case .embedded: FileBlobStore(root: scratch + "/blobs")
                case .production:
                    S3BlobStore(
                        client: try BlobBackend.s3Client(), spoolDirectory: scratch + "/s3spool", logger: Logger(label: "test.s3"),
                        keyPrefix: uniqueName("test") + "/")
                }
            let settings = RegistrySettings(maxModuleBytes: maxModuleBytes, spoolDirectory: scratch + "/uploads")
            let workers = ValidationWorkers(threads: settings.maxConcurrentValidations)
            let registry = ModuleRegistry(
                catalog: catalog, blobs: blobs, settings: settings, workers: workers, hooks: hooks, metrics: ServerMetrics().factory,
                now: { clock.now },
                logger: Logger(label: "test.registry"))
            return try await withRunning([workers]) { try await body(RegistryHarness(registry: registry, catalog: catalog, blobs: blobs)) }
        }
    }
}

struct RegistryHarness: Sendable {
    let registry: ModuleRegistry
    let catalog: any MetadataStore
    let blobs: any BlobStore

    /// Uploads `bytes` in 1 KiB chunks, as a streamed request body would arrive.
    @discardableResult
    func upload(
        _ bytes: [UInt8], module: String = "hello", version: String = "1.0.0", description: String? = nil,
        requiredExports: [String] = [], actor: String = "dev"
    ) async throws -> UploadResult {
        try await registry.upload(
            UploadRequest(
                moduleName: module, version: version, description: description, owner: nil, requiredExports: requiredExports,
                actor: actor, requestID: "req-test"),
            body: chunks(bytes))
    }

    /// Every blob in the store.
    func allBlobs() async throws -> [StoredBlob] {
        try await blobs.listBlobs(after: nil, limit: 1000)
    }
}

/// Splits bytes into a stream of small buffers.
func chunks(_ bytes: [UInt8], size: Int = 1024) -> AsyncThrowingStream<ByteBuffer, any Error> {
    AsyncThrowingStream { continuation in
        var offset = 0
        repeat {
            let end = min(offset + size, bytes.count)
            continuation.yield(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
        } while offset < bytes.count
        continuation.finish()
    }
}

/// A settable clock: real time plus an offset tests can advance.
final class TestClock: Sendable {
    private let offset = NIOLockedValueBox<Double>(0)

    var now: Double { Date().timeIntervalSince1970 + offset.withLockedValue { $0 } }

    func advance(by seconds: Double) {
        offset.withLockedValue { $0 += seconds }
    }
}

/// Runs `body` and returns the ``RegistryError`` it throws (failing the test when it throws none or another error).
func registryError(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> RegistryError? {
    do {
        try await body()
        Issue.record("expected a RegistryError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as RegistryError {
        return error
    } catch {
        Issue.record("expected a RegistryError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// A module name known valid in a test.
func moduleName(_ text: String) -> ModuleName {
    guard let name = ModuleName(text) else { preconditionFailure("invalid test module name \(text)") }
    return name
}
