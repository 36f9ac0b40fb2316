import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The orchestrator's agent API over AsyncHTTPClient.
///
/// Module downloads follow a `307` to a presigned URL *without* the node
/// credential (the URL carries its own signature), so the credential never
/// leaves for the blob store.
public struct OrchestratorClient: Sendable {
    public let baseURL: String
    let http: HTTPClient
    let timeout: TimeAmount

    public init(baseURL: String, http: HTTPClient, timeout: TimeAmount = .seconds(30)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.http = http
        self.timeout = timeout
    }

    /// An answer other than the expected one: the status and the problem `type` (if any).
    public struct Failure: Error, CustomStringConvertible {
        public let status: Int
        public let detail: String
        /// 5xx, 408, 429 and transport errors are worth retrying; other 4xx are not.
        public var isRetryable: Bool { status >= 500 || status == 408 || status == 429 || status == 0 }
        public var description: String { "HTTP \(status): \(detail)" }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    func request(_ method: HTTPMethod, _ path: String, token: String?, body: (some Encodable)? = Optional<String>.none, etag: String? = nil) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let etag { request.headers.add(name: "If-None-Match", value: etag) }
        request.headers.add(name: "User-Agent", value: "wasm-edge-agent/\(EdgeAgent.version)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try Self.encoder.encode(body)))
        }
        return request
    }

    func send(_ request: HTTPClientRequest, timeout: TimeAmount? = nil, maxBytes: Int = 1 << 20) async throws -> (HTTPResponseStatus, HTTPHeaders, ByteBuffer) {
        do {
            let response = try await http.execute(request, timeout: timeout ?? self.timeout)
            let body = try await response.body.collect(upTo: maxBytes)
            return (response.status, response.headers, body)
        } catch let failure as Failure {
            throw failure
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw Failure(status: 0, detail: "\(error)")
        }
    }

    static func failure(_ status: HTTPResponseStatus, _ body: ByteBuffer) -> Failure {
        let problem = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
        let text = (problem?["detail"] as? String) ?? (problem?["type"] as? String) ?? String(buffer: body).prefix(200).description
        return Failure(status: Int(status.code), detail: text)
    }

    /// Registers with an enrollment token (201) or re-registers with the node's credential (200).
    public func register(_ registration: Wire.Registration, token: String) async throws -> Wire.Registered {
        let (status, _, body) = try await send(try request(.POST, "/api/v1/wasm/nodes", token: token, body: registration))
        guard status == .created || status == .ok else { throw Self.failure(status, body) }
        return try JSONDecoder().decode(Wire.Registered.self, from: Data(buffer: body))
    }

    public func heartbeat(_ heartbeat: Wire.Heartbeat, node: String, credential: String) async throws {
        let (status, _, body) = try await send(try request(.POST, "/api/v1/wasm/nodes/\(node)/heartbeat", token: credential, body: heartbeat))
        guard status == .noContent || status == .ok else { throw Self.failure(status, body) }
    }

    public enum Poll: Sendable {
        case unchanged(pollAfterSeconds: Int?)
        case changed(etag: String, state: Wire.DesiredState)
    }

    /// `GET …/desired-state` with `If-None-Match` and `?wait=` (long-poll).
    public func desiredState(node: String, credential: String, etag: String?, waitSeconds: Int) async throws -> Poll {
        let path = "/api/v1/wasm/nodes/\(node)/desired-state" + (waitSeconds > 0 && etag != nil ? "?wait=\(waitSeconds)s" : "")
        let (status, headers, body) = try await send(
            try request(.GET, path, token: credential, etag: etag), timeout: .seconds(Int64(waitSeconds) + 30))
        switch status {
        case .notModified:
            return .unchanged(pollAfterSeconds: headers.first(name: "X-Poll-After-Seconds").flatMap(Int.init))
        case .ok:
            let state = try JSONDecoder().decode(Wire.DesiredState.self, from: Data(buffer: body))
            return .changed(etag: headers.first(name: "ETag") ?? "", state: state)
        default:
            throw Self.failure(status, body)
        }
    }

    /// The module's bytes, proxied or through a presigned URL (followed without the credential).
    public func download(_ url: String, credential: String, maxBytes: Int) async throws -> ByteBuffer {
        let (status, headers, body) = try await send(try request(.GET, url, token: credential), timeout: .seconds(300), maxBytes: maxBytes)
        if status == .temporaryRedirect || status == .found, let location = headers.first(name: "Location") {
            let (redirected, _, bytes) = try await send(try request(.GET, location, token: nil), timeout: .seconds(300), maxBytes: maxBytes)
            guard redirected == .ok else { throw Self.failure(redirected, bytes) }
            return bytes
        }
        guard status == .ok else { throw Self.failure(status, body) }
        return body
    }

    public func report(_ reports: [Wire.StatusReport], node: String, credential: String) async throws {
        let (status, _, body) = try await send(
            try request(.POST, "/api/v1/wasm/nodes/\(node)/status", token: credential, body: Wire.StatusReports(reports: reports)))
        guard status == .noContent || status == .ok else { throw Self.failure(status, body) }
    }
}
