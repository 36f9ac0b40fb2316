import Logging
import OrchestratorDomain
import OrchestratorPorts

/// The readiness use case: pings every dependency concurrently, each bounded by a timeout.
///
/// The metadata store counts as down until its schema is migrated; the cache
/// is optional (without it requests fall back to the database). Every result is
/// kept for the liveness answer (``recentChecks(logger:)``).
public struct Readiness: Sendable {
    private let metadata: any MetadataStore
    private let blobs: any BlobStore
    private let cache: any CacheStore
    private let isSchemaReady: @Sendable () -> Bool
    private let timeout: Duration
    /// Shared by every copy of this value, so `/health` sees what `/health/ready` checked.
    let recent = RecentChecks()

    public init(
        metadata: any MetadataStore, blobs: any BlobStore, cache: any CacheStore, isSchemaReady: @escaping @Sendable () -> Bool,
        timeout: Duration = .seconds(2)
    ) {
        self.metadata = metadata
        self.blobs = blobs
        self.cache = cache
        self.isSchemaReady = isSchemaReady
        self.timeout = timeout
    }

    /// The name the metadata store reports under (`postgresql`, `sqlite`), for "schema not ready" answers.
    public var metadataName: String { metadata.healthName }

    /// `true` once migrations have been applied.
    public var schemaIsReady: Bool { isSchemaReady() }

    /// One check per dependency, in no particular order; failures are logged with their reason.
    public func check(logger: Logger) async -> [DependencyCheck] {
        let schemaReady = isSchemaReady()
        let checks = await probe(timeout: timeout, logger: logger)
        if !Task.isCancelled { await recent.record(checks, schemaReady: schemaReady) }
        return checks
    }

    /// Pings every dependency concurrently, each within `timeout`.
    func probe(timeout: Duration, logger: Logger) async -> [DependencyCheck] {
        let probes: [(String, Bool, @Sendable () async throws -> Void)] = [
            (
                metadata.healthName, true,
                { [metadata, isSchemaReady] in
                    guard isSchemaReady() else { throw SchemaNotReadyError() }
                    try await metadata.ping()
                }
            ),
            (blobs.healthName, true, { [blobs] in try await blobs.ping() }),
            (cache.healthName, false, { [cache] in try await cache.ping() }),
        ]
        return await withTaskGroup(of: DependencyCheck.self) { group in
            for (name, required, probe) in probes {
                group.addTask { [timeout] in
                    do {
                        try await withDeadline(timeout) { try await probe() }
                        return DependencyCheck(name: name, isRequired: required, status: .healthy)
                    } catch {
                        logger.warning("dependency unhealthy", metadata: ["dependency": "\(name)", "reason": "\(error)"])
                        return DependencyCheck(name: name, isRequired: required, status: .unhealthy)
                    }
                }
            }
            var results: [DependencyCheck] = []
            for await result in group { results.append(result) }
            return results
        }
    }
}

/// The metadata store answers but migrations have not been applied yet.
struct SchemaNotReadyError: Error, CustomStringConvertible {
    var description: String { "schema not migrated yet" }
}
