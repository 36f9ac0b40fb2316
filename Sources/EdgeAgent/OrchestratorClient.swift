import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The orchestrator's agent API over AsyncHTTPClient.
///
/// Every request goes through ``RequestPolicy``: the node credential is
/// attached only to URLs of the orchestrator's own origin. A module download
/// URL or a redirect (`301/302/303/307/308`, at most ``maxRedirects``) to
/// another origin — a presigned S3 URL — is fetched *without* it. The HTTP
/// client must not follow redirects itself (the CLI disables that).
public struct OrchestratorClient: Sendable {
    public let baseURL: String
    public let policy: RequestPolicy
    let http: HTTPClient
    let timeout: TimeAmount
    /// Whole-exchange limit of one module download hop (head and body).
    let downloadTimeout: TimeAmount
    static let maxRedirects = 3

    /// Refuses a base URL that is not absolute http(s), and plain http unless `insecure`.
    public init(
        baseURL: String, http: HTTPClient, timeout: TimeAmount = .seconds(30), downloadTimeout: TimeAmount = .seconds(300), insecure: Bool = false
    ) throws(RequestPolicy.Refusal) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.policy = try RequestPolicy(orchestratorURL: self.baseURL, insecure: insecure)
        self.http = http
        self.timeout = timeout
        self.downloadTimeout = downloadTimeout
    }

    /// An answer other than the expected one: the status and the problem `type` (if any).
    public struct Failure: Error, CustomStringConvertible {
        public let status: Int
        public let detail: String
        /// The server's `Retry-After` (delta-seconds, clamped to 0–300), for 429 and 503.
        public var retryAfterSeconds: Int? = nil
        /// 5xx, 408, 429 and transport errors are worth retrying; other 4xx are not.
        public var isRetryable: Bool { status >= 500 || status == 408 || status == 429 || status == 0 }
        public var description: String { "HTTP \(status): \(detail)" }

        /// The delay before the next attempt: the backoff's, or longer when the server asked for it.
        public func delay(after backoff: Double) -> Double {
            max(backoff, Double(retryAfterSeconds ?? 0))
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    /// A request to `url`; `credential` is attached only when `url` is of the orchestrator's origin.
    func request(
        _ method: HTTPMethod, url: URL, credential: String?, body: (some Encodable)? = Optional<String>.none, etag: String? = nil
    ) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let credential, policy.mayCarryCredential(url) { request.headers.add(name: "Authorization", value: "Bearer \(credential)") }
        if let etag { request.headers.add(name: "If-None-Match", value: etag) }
        request.headers.add(name: "User-Agent", value: "wasm-edge-agent/\(EdgeAgent.version)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try Self.encoder.encode(body)))
        }
        return request
    }

    /// A request to an API path of the orchestrator (`/api/v1/wasm/…`).
    func request(
        _ method: HTTPMethod, _ path: String, token: String?, body: (some Encodable)? = Optional<String>.none, etag: String? = nil
    ) throws -> HTTPClientRequest {
        try request(method, url: try policy.resolve(baseURL + path), credential: token, body: body, etag: etag)
    }

    /// A node id as one path segment (the configuration is checked too, see ``AgentConfiguration/problem``).
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }

    /// One exchange, bounded as a whole: AsyncHTTPClient's timeout covers the head only, so a
    /// body that trickles for ever would otherwise hold the caller (the poll loop) for ever.
    func send(
        _ request: HTTPClientRequest, timeout: TimeAmount? = nil, maxBytes: Int = 1 << 20
    ) async throws -> (HTTPResponseStatus, HTTPHeaders, ByteBuffer) {
        let limit = timeout ?? self.timeout
        let http = self.http
        do {
            return try await withThrowingTaskGroup(of: (HTTPResponseStatus, HTTPHeaders, ByteBuffer)?.self) { group in
                group.addTask {
                    let response = try await http.execute(request, timeout: limit)
                    let body = try await response.body.collect(upTo: maxBytes)
                    return (response.status, response.headers, body)
                }
                group.addTask {
                    try await Task.sleep(for: .nanoseconds(limit.nanoseconds))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let exchange = first else {
                    throw Failure(status: 0, detail: "no complete answer within \(limit.nanoseconds / 1_000_000_000) s")
                }
                return exchange
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw Failure(status: 0, detail: ReportText.sanitize("\(error)", maxBytes: 300))
        }
    }

    static func failure(_ status: HTTPResponseStatus, _ headers: HTTPHeaders = [:], _ body: ByteBuffer) -> Failure {
        let problem = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
        let text = (problem?["detail"] as? String) ?? (problem?["type"] as? String) ?? String(buffer: body)
        var failure = Failure(status: Int(status.code), detail: ReportText.sanitize(String(text.prefix(300)), maxBytes: 300))
        if status == .tooManyRequests || status == .serviceUnavailable {
            failure.retryAfterSeconds = AgentSeconds.header(headers.first(name: "Retry-After"), clampedTo: 0...300)
        }
        return failure
    }

    /// Registers with an enrollment token (201) or re-registers with the node's credential (200).
    public func register(_ registration: Wire.Registration, token: String) async throws -> Wire.Registered {
        let (status, headers, body) = try await send(try request(.POST, "/api/v1/wasm/nodes", token: token, body: registration))
        guard status == .created || status == .ok else { throw Self.failure(status, headers, body) }
        return try JSONDecoder().decode(Wire.Registered.self, from: Data(buffer: body))
    }

    public func heartbeat(_ heartbeat: Wire.Heartbeat, node: String, credential: String) async throws {
        let (status, headers, body) = try await send(
            try request(.POST, "/api/v1/wasm/nodes/\(Self.segment(node))/heartbeat", token: credential, body: heartbeat))
        guard status == .noContent || status == .ok else { throw Self.failure(status, headers, body) }
    }

    public enum Poll: Sendable {
        /// `pollAfterSeconds`: the server's `X-Poll-After-Seconds`, clamped to 1–300.
        case unchanged(pollAfterSeconds: Int?)
        case changed(etag: String, state: Wire.DesiredState)
    }

    /// `GET …/desired-state` with `If-None-Match` and `?wait=` (long-poll; `waitSeconds` is clamped to 0–300).
    public func desiredState(node: String, credential: String, etag: String?, waitSeconds: Int) async throws -> Poll {
        let wait = min(max(waitSeconds, 0), 300)
        let path = "/api/v1/wasm/nodes/\(Self.segment(node))/desired-state" + (wait > 0 && etag != nil ? "?wait=\(wait)s" : "")
        let (status, headers, body) = try await send(try request(.GET, path, token: credential, etag: etag), timeout: .seconds(Int64(wait) + 30))
        switch status {
        case .notModified:
            return .unchanged(pollAfterSeconds: AgentSeconds.header(headers.first(name: "X-Poll-After-Seconds"), clampedTo: 1...300))
        case .ok:
            let state = try JSONDecoder().decode(Wire.DesiredState.self, from: Data(buffer: body))
            let etag = headers.first(name: "ETag") ?? ""
            return .changed(etag: etag.utf8.count <= 256 ? etag : "", state: state)
        default:
            throw Self.failure(status, headers, body)
        }
    }

    /// The module's bytes, proxied or through a presigned URL: redirects are
    /// followed by hand, each hop checked by the policy, the credential sent
    /// only to the orchestrator's origin.
    public func download(_ url: String, credential: String, maxBytes: Int) async throws -> ByteBuffer {
        // A path ("/api/v1/wasm/…") is the orchestrator's, under its base URL (which may carry a path prefix).
        var current = try policy.resolve(url.hasPrefix("/") && !url.hasPrefix("//") ? baseURL + url : url)
        for _ in 0...Self.maxRedirects {
            let (status, headers, body) = try await send(
                try request(.GET, url: current, credential: credential), timeout: downloadTimeout, maxBytes: maxBytes)
            switch status.code {
            case 200:
                return body
            case 301, 302, 303, 307, 308:
                guard let location = headers.first(name: "Location") else { throw Self.failure(status, headers, body) }
                current = try policy.resolve(location, against: current)
            default:
                throw Self.failure(status, headers, body)
            }
        }
        throw RequestPolicy.Refusal(description: "refused: more than \(Self.maxRedirects) redirects")
    }

    public func report(_ reports: [Wire.StatusReport], node: String, credential: String) async throws {
        let (status, headers, body) = try await send(
            try request(.POST, "/api/v1/wasm/nodes/\(Self.segment(node))/status", token: credential, body: Wire.StatusReports(reports: reports)))
        guard status == .noContent || status == .ok else { throw Self.failure(status, headers, body) }
    }
}
