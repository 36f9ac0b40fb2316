import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import OrchestratorPorts
import ServiceLifecycle

/// Fetches the configured JWKS at start and then periodically, replacing the remote keys.
///
/// A failed fetch keeps the previous keys and is logged; the document is
/// bounded to 1 MiB.
public struct JWKSRefresher: Service {
    let url: String
    let interval: Duration
    let keyRing: KeyRing
    let httpClient: HTTPClient
    let logger: Logger

    /// The longest one fetch may take, response head and body together.
    let timeout: Duration

    public init(
        url: String, intervalSeconds: Int, keyRing: KeyRing, httpClient: HTTPClient = .shared, timeout: Duration = .seconds(10), logger: Logger
    ) {
        self.url = url
        self.interval = .seconds(max(30, intervalSeconds))
        self.keyRing = keyRing
        self.httpClient = httpClient
        self.timeout = timeout
        self.logger = logger
    }

    /// Fetches once; returns how many usable keys the document held.
    ///
    /// One deadline covers the head and the body: AsyncHTTPClient's own ends
    /// at the head, so an issuer that stalls mid-document would otherwise stop
    /// the refresh loop for ever.
    @discardableResult
    public func refresh() async throws -> Int {
        let body = try await withDeadline(timeout) { [httpClient, url, timeout] in
            let response = try await httpClient.execute(HTTPClientRequest(url: url), timeout: TimeAmount(timeout))
            guard response.status == .ok else {
                throw InvalidKeyMaterialError(key: "auth.jwt.jwksUrl", problem: "JWKS fetch answered HTTP \(response.status.code)")
            }
            return try await response.body.collect(upTo: 1024 * 1024)
        }
        let keys = try await KeyLoading.keys(fromJWKS: String(buffer: body))
        await keyRing.replaceRemoteKeys(keys)
        return keys.count
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let count = try await refresh()
                logger.debug("JWKS refreshed", metadata: ["keys": "\(count)"])
            } catch {
                logger.error("JWKS refresh failed; keeping previous keys", metadata: ["reason": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
