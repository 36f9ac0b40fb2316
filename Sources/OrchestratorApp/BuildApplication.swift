import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Deployments
import EdgeFleet
import Logging
import ModuleRegistry
import NIOCore
import NIOSSL
import OrchestratorAPI
import OrchestratorAuth
import OrchestratorConfig
import OrchestratorDomain
import OrchestratorPorts
import Prometheus
import ServiceLifecycle

/// The version reported by `/health/ready`.
public let orchestratorVersion = "0.1.0"

/// Everything wired for one server: the application plus the pieces tests poke at.
public struct OrchestratorServer: Sendable {
    public let application: Application<RouterResponder<OrchestratorRequestContext>>
    public let backends: Backends
    public let gate: SchemaGate
    /// The node protocol's services, for tools and tests that act as the deployments engine.
    public let nodes: NodeService
    /// The deployment workflow; tests drive its rollout engine directly.
    public let deployments: DeploymentService
    /// Every route the router serves, as `METHOD /path/{parameter}` (Hummingbird's route list);
    /// a test compares them with the OpenAPI document.
    public let routes: [String]
}

/// The single place where the server is assembled from settings.
///
/// - Backends are opened (never waited for).
/// - Migrations run in a service that retries until the store answers; the API is gated until then.
/// - Long-lived clients and loops are services in the application's `ServiceGroup`,
///   started before the HTTP server and shut down after it.
public func buildApplication(
    settings: OrchestratorSettings,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> OrchestratorServer {
    _ = MetricsBootstrap.registry  // bootstrap swift-metrics before any metric is created
    let backends = try await Backends.make(settings: settings, logger: logger)
    do {
        return try await assemble(settings: settings, backends: backends, logger: logger, onServerRunning: onServerRunning)
    } catch {
        await backends.closeAfterFailedStart()
        throw error
    }
}

private func assemble(
    settings: OrchestratorSettings,
    backends: Backends,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void
) async throws -> OrchestratorServer {
    let authSettings = try AuthBootstrap.resolve(settings.auth, dataDirectory: settings.dataDirectory, logger: logger)
    let verifier: TokenVerifier
    let revokedTokens = RevocationList()
    do {
        verifier = try await TokenVerifier.make(settings: authSettings, revocations: revokedTokens)
    } catch let error as InvalidKeyMaterialError {
        throw ConfigurationError(key: error.key, problem: error.problem)
    }
    let issuer = try? await TokenIssuer.make(settings: authSettings)

    let gate = SchemaGate()
    let revocations = TokenRevocations(
        store: backends.metadata, cache: backends.cache, list: revokedTokens, maxLifetimeSeconds: authSettings.maxLifetimeSeconds,
        reconcileSeconds: settings.auth.revocationReconcileSeconds, isReady: { gate.isOpen }, logger: logger)
    var services: [any Service] = backends.services
    services.append(MigrationService(
        store: backends.metadata,
        migrations: try BundledResources.migrations(for: backends.dialect),
        gate: gate,
        maxBackoff: .seconds(settings.database.connectRetryMaxSeconds),
        applyPending: settings.database.migrateOnStart,
        logger: logger))
    if let jwksURL = authSettings.jwksURL {
        services.append(JWKSRefresher(url: jwksURL, intervalSeconds: authSettings.jwksRefreshSeconds, keyRing: verifier.keyRing, logger: logger))
    }
    services.append(revocations)

    let nodes = makeNodeService(settings: settings, backends: backends, logger: logger)
    services += [nodes.heartbeats, nodes.health, nodes.desiredState, nodes.statuses] as [any Service]
    let deployments = makeDeploymentService(settings: settings, backends: backends, nodes: nodes, logger: logger, isReady: { gate.isOpen })
    if settings.deployments.runEngine { services.append(deployments.engine) }

    let environment = APIEnvironment(
        verifier: verifier, issuer: issuer, revocations: revocations, metadata: backends.metadata, cache: backends.cache, blobs: backends.blobs,
        version: orchestratorVersion, startedAt: .now, openAPIDocument: BundledResources.openAPIDocument(),
        renderMetrics: { MetricsBootstrap.registry.emitToString() },
        maxBodyBytes: settings.server.maxBodyBytes, now: { Date().timeIntervalSince1970 },
        isSchemaReady: { gate.isOpen },
        registry: makeRegistry(settings: settings, backends: backends, logger: logger),
        downloads: DownloadPolicy(redirect: settings.modules.download == .redirect, presignSeconds: settings.modules.presignSeconds),
        nodes: nodes, deployments: deployments, idempotencyTTLSeconds: settings.deployments.idempotencyTTLSeconds,
        rateLimiter: makeRateLimiter(settings: settings, backends: backends, logger: logger))
    let router = buildRouter(environment: environment)

    let application = Application(
        router: router,
        server: try serverBuilder(settings.server, maxBodyBytes: max(settings.server.maxBodyBytes, (settings.modules.maxBytes / 3 + 1) * 4 + 64 * 1024)),
        configuration: .init(address: .hostname(settings.server.host, port: settings.server.port), serverName: nil),
        services: services,
        onServerRunning: { channel in
            await onServerRunning(channel.localAddress?.port ?? settings.server.port)
        },
        logger: logger)
    // `beforeServerStarts` is not used for migrations: they must not block the probes (see MigrationService).
    return OrchestratorServer(
        application: application, backends: backends, gate: gate, nodes: nodes, deployments: deployments, routes: router.routes.map(\.description))
}

/// The registry over the selected backends, with the configured limits.
public func makeRegistry(settings: OrchestratorSettings, backends: Backends, hooks: RegistryHooks = RegistryHooks(), logger: Logger) -> ModuleRegistry {
    ModuleRegistry(
        catalog: backends.metadata, blobs: backends.blobs,
        settings: RegistrySettings(
            maxModuleBytes: settings.modules.maxBytes, maxConcurrentValidations: settings.modules.validationConcurrency,
            spoolDirectory: settings.modules.spoolDirectory, validationLimits: settings.modules.validationLimits,
            validationDeadline: .milliseconds(settings.modules.validationDeadlineMillis)),
        hooks: hooks, now: { Date().timeIntervalSince1970 }, logger: logger)
}

/// The node protocol over the selected backends, with the configured timings.
public func makeNodeService(settings: OrchestratorSettings, backends: Backends, logger: Logger) -> NodeService {
    let node = settings.nodes
    return NodeService(
        store: backends.metadata, cache: backends.cache,
        settings: FleetSettings(
            admission: node.admission,
            health: HealthPolicy(heartbeatIntervalSeconds: Double(node.heartbeatIntervalSeconds), offlineAfterSeconds: Double(node.offlineAfterSeconds)),
            heartbeatFlushSeconds: Double(node.heartbeatFlushSeconds), healthEvaluationSeconds: Double(node.healthEvaluationSeconds),
            pollIntervalSeconds: Double(node.pollIntervalSeconds), maxWaitSeconds: Double(node.maxWaitSeconds),
            credentialCacheSeconds: Double(node.credentialCacheSeconds), environments: Set(settings.deployments.environments.keys)),
        now: { Date().timeIntervalSince1970 }, logger: logger)
}

/// The deployment workflow over the node service (shared desired-state hub).
public func makeDeploymentService(
    settings: OrchestratorSettings, backends: Backends, nodes: NodeService, logger: Logger, isReady: @escaping @Sendable () -> Bool = { true }
) -> DeploymentService {
    let config = settings.deployments
    return DeploymentService(
        store: backends.metadata, fleet: nodes,
        settings: DeploymentSettings(
            environments: config.environments, evaluationIntervalSeconds: Double(config.evaluationIntervalMilliseconds) / 1000,
            defaultNodeTimeoutSeconds: config.defaultNodeTimeoutSeconds, defaultProgressDeadlineSeconds: config.defaultProgressDeadlineSeconds),
        now: { Date().timeIntervalSince1970 }, logger: logger, isReady: isReady)
}

/// HTTP/1.1 with explicit idle timeout and header limits, wrapped in TLS when configured.
/// ``RequestBodyGuard`` answers `Expect: 100-continue` and closes lingering, unread bodies;
/// `maxBodyBytes` is the largest body any route accepts (the base64 JSON module upload).
func serverBuilder(_ server: ServerSettings, maxBodyBytes: Int) throws -> HTTPServerBuilder {
    let http = HTTPServerBuilder.http1(configuration: .init(
        additionalChannelHandlers: [RequestBodyGuard(maxBodyBytes: maxBodyBytes)],
        idleTimeout: .seconds(Int64(server.idleTimeoutSeconds)),
        httpDecoderConfiguration: .init(
            maxHeaderFieldSize: server.maxHeaderBytes, maxHeaderListSize: server.maxHeaderBytes, maxHeaderFieldCount: 100)))
    guard let certificatePath = server.tlsCertificatePath, let keyPath = server.tlsKeyPath else { return http }
    do {
        let chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        return try .tls(http, tlsConfiguration: tls)
    } catch {
        throw ConfigurationError(key: "server.tls.certificatePath", problem: "cannot load the TLS certificate or key: \(error)")
    }
}
