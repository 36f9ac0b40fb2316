import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The demo's few REST calls, as a deployer or an admin, over the server's own loopback address.
struct DemoClient: Sendable {
    struct Refused: Error, CustomStringConvertible {
        let method: HTTPMethod
        let path: String
        let status: UInt
        let body: String
        var description: String { "\(method) \(path) answered \(status): \(body)" }
    }

    let http: HTTPClient
    let baseURL: String

    /// Sends `body` (JSON or raw bytes) and returns the decoded JSON object of a 2xx answer.
    @discardableResult
    func call(
        _ method: HTTPMethod, _ path: String, token: String, json: [String: Any]? = nil, bytes: [UInt8]? = nil
    ) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: baseURL + "/api/v1/wasm" + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        } else if let bytes {
            request.headers.add(name: "Content-Type", value: "application/wasm")
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let data = Data((try await response.body.collect(upTo: 4 << 20)).readableBytesView)
        guard (200..<300).contains(response.status.code) else {
            throw Refused(method: method, path: path, status: response.status.code, body: String(decoding: data, as: UTF8.self))
        }
        guard !data.isEmpty else { return [:] }
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// `true` once `/health/ready` answers 200.
    func isReady() async -> Bool {
        let request = HTTPClientRequest(url: baseURL + "/health/ready")
        return (try? await http.execute(request, timeout: .seconds(2)).status) == .ok
    }
}
