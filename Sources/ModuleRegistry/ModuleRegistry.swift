import BlobSpooling
import CoreMetrics
import Logging
import NIOCore
import NIOPosix
import OrchestratorDomain
import OrchestratorPorts
import WasmInspection

/// Registers, reads and retires module versions.
///
/// An upload is spooled to a local file while its SHA-256 is computed
/// (memory stays at one chunk), validated from that file on the thread
/// pool, stored in the blob store, and only then recorded in the catalog:
/// a crash at any step leaves at most an orphan blob, which `gc` removes.
public struct ModuleRegistry: Sendable {
    let catalog: any MetadataStore
    let blobs: any BlobStore
    public let settings: RegistrySettings
    let spool: BlobSpool
    let validations: AsyncSemaphore
    let workers: ValidationWorkers
    let hooks: RegistryHooks
    let metrics: RegistryMetrics
    let now: @Sendable () -> Double
    let logger: Logger

    /// - Parameters:
    ///   - workers: the validation threads, a service the application's wiring runs
    ///     (sized ``RegistrySettings/maxConcurrentValidations``); uploads answer 503 while it is not running.
    ///   - metrics: the server's metrics factory (registrations, upload sizes and times, validation failures).
    public init(
        catalog: any MetadataStore, blobs: any BlobStore, settings: RegistrySettings, workers: ValidationWorkers,
        hooks: RegistryHooks = RegistryHooks(), metrics: any MetricsFactory, now: @escaping @Sendable () -> Double, logger: Logger
    ) {
        self.catalog = catalog
        self.blobs = blobs
        self.settings = settings
        self.spool = BlobSpool(directory: settings.spoolDirectory)
        self.validations = AsyncSemaphore(limit: settings.maxConcurrentValidations)
        self.workers = workers
        self.hooks = hooks
        self.metrics = RegistryMetrics(factory: metrics)
        self.now = now
        self.logger = logger
    }

    /// Registers `body` as `request.version` of `request.moduleName`.
    ///
    /// Identical content under an existing version answers with the stored
    /// version (`created == false`); other content is a
    /// ``RegistryError/versionConflict(module:version:existing:uploaded:)``.
    public func upload(_ request: UploadRequest, body: some AsyncSequence<ByteBuffer, any Error> & Sendable) async throws -> UploadResult {
        let started = ContinuousClock.now
        let (name, version) = try Self.parse(name: request.moduleName, version: request.version)
        let spooled = try await spool.spool(body, maxBytes: settings.maxModuleBytes)
        do {
            let result = try await register(spooled, request: request, name: name, version: version, started: started)
            await spool.discard(spooled)
            return result
        } catch {
            await spool.discard(spooled)
            throw error
        }
    }

    private func register(
        _ spooled: SpooledBlob, request: UploadRequest, name: ModuleName, version: SemanticVersion, started: ContinuousClock.Instant
    ) async throws -> UploadResult {
        if let existing = try await catalog.version(of: name, key: version.identityKey) {
            // Stored content was validated when it was registered; the export check is cheap and still applies.
            let result = try answerExisting(existing, uploaded: spooled.info.digest, name: name, version: version)
            try checkExports(request.requiredExports, of: existing.interface)
            return result
        }
        let interface = try await inspect(spooled.path)
        try checkExports(request.requiredExports, of: interface)

        let intent = try await catalog.beginUpload(digest: spooled.info.digest, at: now())
        let outcome: RegistrationOutcome
        do {
            try await blobs.putFile(at: spooled.path, info: spooled.info)
            try await hooks.afterBlobStored(spooled.info.digest)
            let registration = VersionRegistration(
                module: name, version: version, versionText: request.version, blob: spooled.info, interface: interface,
                createdBy: request.actor, createdAt: now(), description: request.description, owner: request.owner)
            let audit = AuditEvent(
                actor: request.actor, action: "module.version.upload", target: "module:\(name)@\(request.version)",
                outcome: .success, requestID: request.requestID, occurredAt: registration.createdAt)
            outcome = try await catalog.register(registration, intent: intent, audit: audit)
        } catch {
            try? await catalog.abandonUpload(intent)
            throw error
        }
        switch outcome {
        case .created(let record):
            metrics.registered(bytes: record.sizeBytes, duration: ContinuousClock.now - started)
            logger.info(
                "registered module version",
                metadata: [
                    "module": "\(name)", "version": "\(request.version)", "digest": "\(record.digest)", "bytes": "\(record.sizeBytes)",
                ])
            return UploadResult(version: record, created: true)
        case .existing(let record):
            // A concurrent upload of the same version won the race.
            return try answerExisting(record, uploaded: spooled.info.digest, name: name, version: version)
        }
    }

    private func answerExisting(
        _ existing: ModuleVersionRecord, uploaded: ContentDigest, name: ModuleName, version: SemanticVersion
    ) throws -> UploadResult {
        switch VersionUploadPolicy.decide(existing: existing.digest, uploaded: uploaded) {
        case .create, .identical:
            return UploadResult(version: existing, created: false)
        case .conflict(let stored, let new):
            throw RegistryError.versionConflict(module: name.value, version: existing.version, existing: stored, uploaded: new)
        }
    }

    /// Parses and validates on the registry's own worker threads (never the
    /// cooperative pool or the shared `NIOThreadPool.singleton`, whose file
    /// I/O it would starve), at most ``RegistrySettings/maxConcurrentValidations``
    /// at a time, each within ``RegistrySettings/validationDeadline`` counted
    /// from when it gets a thread.
    func inspect(_ path: String) async throws -> ModuleInterface {
        let limits = settings.validationLimits
        let budget = settings.validationDeadline
        let workers = self.workers
        let result = try await validations.withPermit {
            try await workers.perform { () -> Result<ModuleInterface, InspectionFailure> in
                do throws(InspectionFailure) {
                    return .success(try WasmInspector.inspect(filePath: path, limits: limits, deadline: ValidationDeadline(after: budget)))
                } catch {
                    return .failure(error)
                }
            }
        }
        switch result {
        case .success(let interface):
            return interface
        case .failure(let failure):
            metrics.validationFailed(failure.reason.rawValue)
            throw RegistryError.invalidBinary(failure)
        }
    }

    func checkExports(_ required: [String], of interface: ModuleInterface) throws {
        guard !required.isEmpty else { return }
        guard interface.kind == .module else {
            metrics.validationFailed("missing-exports")
            throw RegistryError.exportsNotInspectable
        }
        let missing = interface.missingExports(required)
        guard missing.isEmpty else {
            metrics.validationFailed("missing-exports")
            throw RegistryError.missingExports(missing)
        }
    }

    static func parse(name: String, version: String) throws -> (ModuleName, SemanticVersion) {
        guard let moduleName = ModuleName(name) else { throw RegistryError.invalidModuleName(name) }
        guard let semver = SemanticVersion(version) else { throw RegistryError.invalidVersion(version) }
        return (moduleName, semver)
    }
}
