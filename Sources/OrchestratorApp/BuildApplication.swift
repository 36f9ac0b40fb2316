import Deployments
import EdgeFleet
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import ModuleRegistry
import NIOCore
import NIOSSL
import Notifications
import Operations
import OrchestratorAPI
import OrchestratorAuth
import OrchestratorConfig
import OrchestratorDomain
import OrchestratorPorts
import Prometheus
import ServiceLifecycle

/// The version reported by `/health` and `/health/ready`.
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
    /// The module registry.
    public let registry: ModuleRegistry
    /// The event bus (its open streams, for tests of the event stream).
    public let events: EventBus
    /// Token revocations (a service: it follows the other replicas' revocations).
    public let revocations: TokenRevocations
    /// Every long-lived component, in the order the application's service group starts them.
    public let roster: ServiceRoster
    /// Every route the router serves, as `METHOD /path/{parameter}` (Hummingbird's route list);
    /// a test compares them with the OpenAPI document.
    public let routes: [String]
}

/// The single place where the server is assembled from settings.
///
/// - Backends are opened (never waited for).
/// - Migrations run in a service that retries until the store answers; the API is gated until then.
/// - Use cases get their collaborators here and build none; every long-lived client and loop is
///   listed once in the ``ServiceRoster``, in dependency order, and runs in the application's
///   `ServiceGroup`, started before the HTTP server and shut down after it.
public func buildApplication(
    settings: OrchestratorSettings,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> OrchestratorServer {
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
    let metrics = ServerMetrics()
    let registry = RegistryWiring(settings: settings, backends: backends, metrics: metrics.factory, logger: logger)
    let notifications = NotificationWiring(settings: settings, backends: backends, metrics: metrics.factory, logger: logger)
    let fleet = FleetWiring(
        settings: settings, backends: backends, metrics: metrics.factory, logger: logger, events: notifications.events, isReady: { gate.isOpen })
    let deployments = DeploymentWiring(
        settings: settings, backends: backends, nodes: fleet.nodes, metrics: metrics.factory, logger: logger, isReady: { gate.isOpen },
        events: notifications.events)

    // Dependency order: clients first, then the migrations that gate the API, then the loops that use them.
    var roster = ServiceRoster()
    roster.run(backends.services)
    roster.run(
        MigrationService(
            store: backends.metadata,
            migrations: try BundledResources.migrations(for: backends.dialect),
            gate: gate,
            maxBackoff: .seconds(settings.database.connectRetryMaxSeconds),
            applyPending: settings.database.migrateOnStart,
            logger: logger))
    if let jwksURL = authSettings.jwksURL {
        roster.run(JWKSRefresher(url: jwksURL, intervalSeconds: authSettings.jwksRefreshSeconds, keyRing: verifier.keyRing, logger: logger))
    }
    roster.run(revocations)
    roster.run(notifications.services)
    roster.run(registry.workers)
    roster.run(fleet.services)
    roster.run(deployments.engine, if: settings.deployments.runEngine)
    let readiness = Readiness(
        metadata: backends.metadata, blobs: backends.blobs, cache: backends.cache, isSchemaReady: { gate.isOpen }, logger: logger)
    roster.run(readiness.watch)

    let now: @Sendable () -> Double = { Date().timeIntervalSince1970 }
    let environment = APIEnvironment(
        registry: registry.registry, nodes: fleet.nodes, deployments: deployments.deployments,
        auditLog: AuditLog(store: backends.metadata, now: now),
        readiness: readiness,
        idempotencyKeys: IdempotencyKeys(store: backends.metadata, ttlSeconds: settings.deployments.idempotencyTTLSeconds, now: now),
        downloads: DownloadPolicy(redirect: settings.modules.download == .redirect, presignSeconds: settings.modules.presignSeconds),
        verifier: verifier, issuer: issuer, revocations: revocations,
        version: orchestratorVersion, startedAt: .now, openAPIDocument: BundledResources.openAPIDocument(),
        renderMetrics: metrics.render, metrics: metrics.factory, maxBodyBytes: settings.server.maxBodyBytes,
        rateLimiter: makeRateLimiter(settings: settings, backends: backends, logger: logger), consoleFiles: BundledResources.consoleFiles(),
        events: notifications.events)
    let router = buildRouter(environment: environment)

    let application = Application(
        router: router,
        server: try serverBuilder(
            settings.server, maxBodyBytes: max(settings.server.maxBodyBytes, (settings.modules.maxBytes / 3 + 1) * 4 + 64 * 1024)),
        configuration: .init(address: .hostname(settings.server.host, port: settings.server.port), serverName: nil),
        services: roster.running,
        onServerRunning: { channel in
            await onServerRunning(channel.localAddress?.port ?? settings.server.port)
        },
        logger: logger)
    // `beforeServerStarts` is not used for migrations: they must not block the probes (see MigrationService).
    return OrchestratorServer(
        application: application, backends: backends, gate: gate, nodes: fleet.nodes, deployments: deployments.deployments,
        registry: registry.registry, events: notifications.events, revocations: revocations, roster: roster,
        routes: router.routes.map(\.description))
}

/// HTTP/1.1 with explicit idle timeout and header limits, wrapped in TLS when configured.
/// ``RequestBodyGuard`` answers `Expect: 100-continue` and closes lingering, unread bodies;
/// `maxBodyBytes` is the largest body any route accepts (the base64 JSON module upload).
func serverBuilder(_ server: ServerSettings, maxBodyBytes: Int) throws -> HTTPServerBuilder {
    let http = HTTPServerBuilder.http1(
        configuration: .init(
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
