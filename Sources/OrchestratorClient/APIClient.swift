import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import OrchestratorPorts

/// Talks JSON to the orchestrator's REST API (`<address>/api/v1/wasm`) with a bearer token.
///
/// Every answer of 400 or more becomes ``ClientError/refused(status:problem:)``; a connection that cannot be
/// made or breaks becomes ``ClientError/unreachable(_:)``. Nothing here knows the server's types.
public struct APIClient: Sendable {
    /// The API prefix every resource path is under.
    public static let prefix = "/api/v1/wasm"
    /// Largest response body read (a page of 500 audit events is far below it).
    static let maxResponseBytes = 32 * 1024 * 1024

    /// The server's base URL, without the API prefix or a trailing slash.
    public let address: String
    let token: String
    let http: HTTPClient
    let timeout: TimeAmount

    /// The process's HTTP client: a refused or silent connection fails after one attempt of at most 5 s (the
    /// default client retries until the request's deadline, so an unreachable server would take the whole 30 s).
    public static let sharedHTTP: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(5)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    public init(credentials: Credentials, http: HTTPClient = APIClient.sharedHTTP, timeout: TimeAmount = .seconds(30)) {
        self.address = Self.normalized(credentials.address)
        self.token = credentials.token
        self.http = http
        self.timeout = timeout
    }

    /// `https://host/` and `https://host/api/v1/wasm` both mean `https://host`.
    static func normalized(_ address: String) -> String {
        var address = address.trimmingCharacters(in: .whitespacesAndNewlines)
        while address.hasSuffix("/") { address.removeLast() }
        if address.hasSuffix(prefix) { address.removeLast(prefix.count) }
        return address
    }

    /// The methods the API uses (so that callers need no NIO import).
    public enum Method: String, Sendable {
        case GET, POST, PUT, DELETE

        var http: HTTPMethod { HTTPMethod(rawValue: rawValue) }
    }

    /// One answer: status, headers and the whole body.
    public struct Response: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: Data

        /// The body parsed as JSON.
        public func json() throws -> JSONValue {
            do {
                return try JSONValue.parse(body)
            } catch {
                throw ClientError.refused(status: status, problem: Problem(title: "Unreadable answer", detail: "the body is not JSON"))
            }
        }
    }

    /// Sends `method path?query` with an optional JSON body.
    public func send(
        _ method: Method, _ path: String, query: [(String, String?)] = [], json body: JSONValue? = nil, headers: [(String, String)] = []
    ) async throws -> Response {
        var request = makeRequest(method, path, query: query, headers: headers)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body.encoded()))
        }
        return try await execute(request, timeout: timeout)
    }

    /// Sends `method path` with raw bytes as the body (a small module, for example; large files go through `upload`).
    public func send(_ method: Method, _ path: String, bytes: [UInt8], contentType: String) async throws -> Response {
        var request = makeRequest(method, path, query: [], headers: [])
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: bytes))
        return try await execute(request, timeout: timeout)
    }

    /// Builds a request with the token, `Accept` and a `User-Agent`.
    func makeRequest(_ method: Method, _ path: String, query: [(String, String?)], headers: [(String, String)]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: address + Self.prefix + path + Self.queryString(query))
        request.method = method.http
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json, application/problem+json")
        request.headers.add(name: "User-Agent", value: "wasm-orchestrator-cli")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return request
    }

    /// Runs a request and reads its answer, mapping failures to ``ClientError``.
    func execute(_ request: HTTPClientRequest, timeout: TimeAmount) async throws -> Response {
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            // AsyncHTTPClient's timeout ends at the response head; the deadline also bounds a body that stalls.
            let (http, timeout) = (http, timeout)
            (response, body) = try await withDeadline(.nanoseconds(timeout.nanoseconds)) {
                let response = try await http.execute(request, timeout: timeout)
                return (response, try await response.body.collect(upTo: Self.maxResponseBytes))
            }
        } catch is NIOTooManyBytesError {
            throw ClientError.refused(
                status: 0, problem: Problem(title: "Answer too large", detail: "the answer is larger than \(Self.maxResponseBytes) bytes"))
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError.unreachable("\(address): \(Self.describe(error))")
        }
        let answer = Response(status: Int(response.status.code), headers: response.headers, body: Data(buffer: body))
        guard answer.status < 400 else {
            throw ClientError.refused(status: answer.status, problem: Problem.from(body: answer.body, status: answer.status))
        }
        return answer
    }

    static func describe(_ error: any Error) -> String {
        if let http = error as? HTTPClientError { return "\(http)" }
        return String(describing: error)
    }

    /// `?a=1&b=2`, leaving out absent values, each part percent-encoded.
    static func queryString(_ query: [(String, String?)]) -> String {
        let parts = query.compactMap { name, value in value.map { "\(name)=\(encode($0))" } }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes a path segment or query value (everything but RFC 3986 unreserved characters).
    public static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
