import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Testing

/// Reads `GET /api/v1/wasm/events` as a browser's `fetch()` would: a bearer header, the body read chunk by chunk.
///
/// ``run(_:)`` reads in a child task while the test acts; leaving `run` cancels the request, which closes the
/// connection (the client going away).
struct EventStreamReader: Sendable {
    let port: Int
    let token: String
    var query: String = ""

    /// What has arrived so far.
    final class Received: Sendable {
        private let box = NIOLockedValueBox<(status: Int?, contentType: String?, text: String)>((nil, nil, ""))
        var text: String { box.withLockedValue { $0.text } }
        var status: Int? { box.withLockedValue { $0.status } }
        var contentType: String? { box.withLockedValue { $0.contentType } }

        func head(_ status: Int, _ contentType: String?) {
            box.withLockedValue {
                $0.status = status
                $0.contentType = contentType
            }
        }
        func append(_ text: String) { box.withLockedValue { $0.text += text } }

        /// Waits until `text` contains `needle` (at most `seconds`).
        func waitFor(_ needle: String, seconds: Double = 30) async throws -> Bool {
            let end = ContinuousClock.now + .seconds(seconds)
            while ContinuousClock.now < end {
                if text.contains(needle) { return true }
                try await Task.sleep(for: .milliseconds(20))
            }
            return text.contains(needle)
        }
    }

    /// Reads the whole stream (until the server ends it) into `received`.
    func read(with http: HTTPClient, into received: Received) async throws {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/wasm/events\(query)")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await http.execute(request, timeout: .seconds(60))
        received.head(Int(response.status.code), response.headers.first(name: "Content-Type"))
        for try await chunk in response.body { received.append(String(buffer: chunk)) }
    }

    func run<T: Sendable>(_ body: @Sendable (Received) async throws -> T) async throws -> T {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let received = Received()
        do {
            let result = try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
                group.addTask { try await read(with: http, into: received) }
                defer { group.cancelAll() }
                return try await body(received)
            }
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}
