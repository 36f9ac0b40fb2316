import Logging
import OrchestratorDomain
import OrchestratorPorts

/// Probes every dependency concurrently, each bounded by a timeout.
struct ReadinessChecker: Sendable {
    let environment: APIEnvironment
    let timeout: Duration = .seconds(2)

    func check(logger: Logger) async -> [DependencyCheck] {
        let probes: [(String, Bool, @Sendable () async throws -> Void)] = [
            (environment.metadata.healthName, true, { [metadata = environment.metadata, ready = environment.isSchemaReady] in
                guard ready() else { throw SchemaNotReadyError() }
                try await metadata.ping()
            }),
            (environment.blobs.healthName, true, { [blobs = environment.blobs] in try await blobs.ping() }),
            // The cache is optional: without it requests fall back to the database.
            (environment.cache.healthName, false, { [cache = environment.cache] in try await cache.ping() }),
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
