import Logging
import OrchestratorDomain
import OrchestratorPorts

/// The readiness use case: pings every dependency concurrently, each bounded by a timeout.
///
/// The metadata store counts as down until its schema is migrated; the cache
/// is optional (without it requests fall back to the database). The same probes
/// run in the background in ``watch``, for the liveness answer.
public struct Readiness: Sendable {
    private let metadata: any MetadataStore
    private let probes: [DependencyProbe]
    private let isSchemaReady: @Sendable () -> Bool
    private let timeout: Duration
    /// Pings the same dependencies in the background for `/health`; a service the server runs.
    public let watch: DependencyWatch

    public init(
        metadata: any MetadataStore, blobs: any BlobStore, cache: any CacheStore, isSchemaReady: @escaping @Sendable () -> Bool,
        timeout: Duration = .seconds(2), logger: Logger
    ) {
        self.metadata = metadata
        self.isSchemaReady = isSchemaReady
        self.timeout = timeout
        let probes = [
            DependencyProbe(name: metadata.healthName, isRequired: true, needsSchema: true) { try await metadata.ping() },
            DependencyProbe(name: blobs.healthName, isRequired: true) { try await blobs.ping() },
            DependencyProbe(name: cache.healthName, isRequired: false) { try await cache.ping() },
        ]
        self.probes = probes
        self.watch = DependencyWatch(probes: probes, isSchemaReady: isSchemaReady, logger: logger)
    }

    /// The name the metadata store reports under (`postgresql`, `sqlite`), for "schema not ready" answers.
    public var metadataName: String { metadata.healthName }

    /// `true` once migrations have been applied.
    public var schemaIsReady: Bool { isSchemaReady() }

    /// One check per dependency, in no particular order; failures are logged with their reason.
    public func check(logger: Logger) async -> [DependencyCheck] {
        await withTaskGroup(of: DependencyCheck.self) { group in
            for probe in probes {
                group.addTask { [timeout, isSchemaReady] in
                    do {
                        guard !probe.needsSchema || isSchemaReady() else { throw SchemaNotReadyError() }
                        try await withDeadline(timeout) { try await probe.ping() }
                        return DependencyCheck(name: probe.name, isRequired: probe.isRequired, status: .healthy)
                    } catch {
                        logger.warning("dependency unhealthy", metadata: ["dependency": "\(probe.name)", "reason": "\(error)"])
                        return DependencyCheck(name: probe.name, isRequired: probe.isRequired, status: .unhealthy)
                    }
                }
            }
            var results: [DependencyCheck] = []
            for await result in group { results.append(result) }
            return results
        }
    }

    /// The dependency states `/health` reports, from ``watch``'s background pings: read from memory, never waiting.
    public func recentChecks() -> [DependencyCheck] {
        watch.current()
    }
}

/// The metadata store answers but migrations have not been applied yet.
struct SchemaNotReadyError: Error, CustomStringConvertible {
    var description: String { "schema not migrated yet" }
}
