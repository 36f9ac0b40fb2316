import Foundation
import HummingbirdTesting
import OrchestratorDomain
import Testing

/// Bodies the server will not read: early answers, lingering close and `Expect: 100-continue`,
/// against the live server with a client that writes everything before it reads.
@Suite("Unread request bodies")
struct BodyLimitTests {
    /// 2 MiB module limit, so "over the limit" stays quick to send.
    static let environment = ["MODULES_MAX_BYTES": "2097152"]

    @Test("an upload over the limit, written whole before reading, gets its 413 with Connection: close")
    func oversizedUploadWrittenWhole() async throws {
        let server = try await TestServer(environment: Self.environment)
        try await server.run { client, server in
            let token = try await server.token(role: .deployer)
            let body = [UInt8](repeating: 0, count: 2_097_153 + 8 * 1_048_576)
            let answer = try await BlockingHTTPClient(port: try #require(client.port)).send(
                head: "PUT /api/v1/wasm/modules/big/versions/1.0.0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n"
                    + "Content-Type: application/wasm\r\nContent-Length: \(body.count)",
                body: body)
            #expect(answer.finalStatus == 413)
            #expect(answer.headers["connection"] == "close")
            #expect(answer.headers["content-type"] == "application/problem+json")
            #expect(answer.wroteWholeBody, "the server stopped reading, so the client could never finish writing")
        }
    }

    @Test("a refused caller's large body is answered 401 and discarded, never buffered")
    func refusedCallerLargeBody() async throws {
        let server = try await TestServer(environment: Self.environment)
        try await server.run { client, _ in
            let body = [UInt8](repeating: UInt8(ascii: "x"), count: 8 * 1_048_576)
            for bearer in ["wet_abcdefghijklmnopqrstuvwxyz012345", "not-a-token"] {
                let answer = try await BlockingHTTPClient(port: try #require(client.port)).send(
                    head: "POST /api/v1/wasm/deployments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(bearer)\r\n"
                        + "Content-Type: application/json\r\nIdempotency-Key: k1\r\nContent-Length: \(body.count)",
                    body: body)
                #expect(answer.finalStatus == 401)
                #expect(answer.headers["connection"] == "close")
            }
        }
    }

    @Test("Expect: 100-continue gets 100 only once the route reads the body; a refusal comes instead of it")
    func expectContinue() async throws {
        let server = try await TestServer(environment: Self.environment)
        try await server.run { client, server in
            let port = try #require(client.port)
            let token = try await server.token(role: .deployer)
            let body = Array("not wasm at all".utf8)
            func put(_ authorization: String, length: Int) async throws -> BlockingHTTPClient.Answer {
                try await BlockingHTTPClient(port: port).send(
                    head: "PUT /api/v1/wasm/modules/m/versions/1.0.0 HTTP/1.1\r\nHost: x\r\nAuthorization: \(authorization)\r\n"
                        + "Content-Type: application/wasm\r\nExpect: 100-continue\r\nContent-Length: \(length)",
                    body: body, awaitInterim: true)
            }
            let accepted = try await put("Bearer \(token)", length: body.count)
            #expect(accepted.statusLines.first?.hasPrefix("HTTP/1.1 100") == true)
            #expect(accepted.finalStatus == 422, "the body was read and validated")

            let refused = try await put("Bearer nope", length: body.count)
            #expect(refused.statusLines.count == 1, "no 100 Continue for a caller the route refuses")
            #expect(refused.finalStatus == 401)
            #expect(refused.wroteWholeBody == false)

            let tooLarge = try await put("Bearer \(token)", length: 2_097_153)
            #expect(tooLarge.statusLines.count == 1)
            #expect(tooLarge.finalStatus == 413)
        }
    }
}
