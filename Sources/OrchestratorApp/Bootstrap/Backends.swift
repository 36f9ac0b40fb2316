import AsyncHTTPClient
import FileBlobStore
import InProcessCache
import Logging
import OrchestratorConfig
import OrchestratorPorts
import PostgresMetadataStore
import PostgresNIO
import RedisCache
import S3BlobStore
import SQLiteMetadataStore
import ServiceLifecycle

/// The three ports, bound to the implementations the settings select,
/// plus the long-lived clients that must run as services.
public struct Backends: Sendable {
    public let metadata: any MetadataStore
    public let cache: any CacheStore
    public let blobs: any BlobStore
    /// Clients to run in the `ServiceGroup` (PostgresClient, SQLite connection, RedisCache).
    /// Each releases its resources when its `run()` returns.
    public let services: [any Service]
    public let dialect: BundledResources.Dialect

    /// Opens or creates each backend. Nothing here waits for a remote service to answer:
    /// an unreachable PostgreSQL or Redis is reported by readiness and retried, not fatal.
    public static func make(settings: OrchestratorSettings, logger: Logger) async throws -> Backends {
        var services: [any Service] = []

        let metadata: any MetadataStore
        let dialect: BundledResources.Dialect
        if let url = settings.database.postgresURL {
            var configuration: PostgresClient.Configuration
            do {
                configuration = try PostgresURL.configuration(from: url)
            } catch {
                throw ConfigurationError(key: "database.url", problem: "\(error)")
            }
            configuration.options.maximumConnections = settings.database.poolSize
            configuration.options.connectTimeout = .seconds(5)
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            services.append(client)
            metadata = PostgresMetadataStore(client: client, logger: logger)
            dialect = .postgres
        } else {
            let store = try await SQLiteMetadataStore.open(path: settings.database.sqlitePath, logger: logger)
            services.append(store)
            metadata = store
            dialect = .sqlite
        }

        let cache: any CacheStore
        if let url = settings.cache.redisURL {
            let endpoint: RedisEndpoint
            do {
                endpoint = try RedisEndpoint(url: url)
            } catch {
                throw ConfigurationError(key: "redis.url", problem: "\(error)")
            }
            let redis = RedisCache(endpoint: endpoint, keyPrefix: settings.cache.keyPrefix, poolSize: settings.cache.poolSize, logger: logger)
            services.append(redis)
            cache = redis
        } else {
            cache = InProcessCache()
        }

        let blobs: any BlobStore
        if let s3 = settings.blobs.s3 {
            let client = S3Client(
                configuration: S3Configuration(
                    endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region,
                    credentials: SigV4Credentials(accessKey: s3.accessKey, secretKey: s3.secretKey)))
            if s3.createBucket {
                do {
                    try await client.createBucket()
                } catch {
                    logger.error("could not create the S3 bucket; continuing", metadata: ["bucket": "\(s3.bucket)", "reason": "\(error)"])
                }
            }
            blobs = S3BlobStore(client: client, spoolDirectory: settings.blobs.fileRoot + "/spool", logger: logger, keyPrefix: s3.keyPrefix)
        } else {
            blobs = FileBlobStore(root: settings.blobs.fileRoot)
        }
        return Backends(metadata: metadata, cache: cache, blobs: blobs, services: services, dialect: dialect)
    }
}

extension Backends {
    /// Releases what `make` opened, for when start-up fails before the services run.
    public func closeAfterFailedStart() async {
        if let sqlite = metadata as? SQLiteMetadataStore { try? await sqlite.close() }
        if let redis = cache as? RedisCache { try? await redis.shutdown() }
    }
}

extension Backends {
    /// Runs the backends' client services (connection pools, Redis) while
    /// `body` uses the ports, then stops them. For one-shot commands
    /// (`migrate`, `gc`) that have no `ServiceGroup`.
    public func withRunningServices<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            for service in services {
                group.addTask {
                    try? await service.run()
                    return nil
                }
            }
            defer { group.cancelAll() }
            // Redis starts its threads in `run()`: let it, so `body` does not find the cache "down".
            if let redis = cache as? RedisCache {
                for _ in 0..<1000 where !redis.isRunning { try await Task.sleep(for: .milliseconds(5)) }
            }
            group.addTask { try await body() }
            while let result = try await group.next() {
                if let value = result { return value }
            }
            throw CancellationError()
        }
    }
}
