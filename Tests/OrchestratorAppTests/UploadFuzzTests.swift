import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import OrchestratorDomain
import Testing
import WasmFixtures

/// Mutation fuzzing of the upload path over HTTP: whatever the bytes, the
/// answer is a deliberate 2xx/4xx, never a 5xx, and the server stays up.
@Suite("Upload fuzzing")
struct UploadFuzzTests {
    static let iterations = 1_200

    /// Deterministic mutations (seeded), so a failure can be replayed.
    struct Mutator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11
        }

        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }

        mutating func mutate(_ input: [UInt8]) -> [UInt8] {
            var bytes = input
            for _ in 0...below(4) {
                switch below(6) {
                case 0 where !bytes.isEmpty: bytes[below(bytes.count)] ^= UInt8(1 << below(8))  // bit flip
                case 1 where !bytes.isEmpty: bytes[below(bytes.count)] = UInt8(below(256))  // byte set
                case 2: bytes.insert(UInt8(below(256)), at: below(bytes.count + 1))  // insert
                case 3 where !bytes.isEmpty: bytes.remove(at: below(bytes.count))  // delete
                case 4: bytes = Array(bytes.prefix(below(bytes.count + 1)))  // truncate
                default:
                    if !bytes.isEmpty { bytes[below(bytes.count)] = [0x00, 0x7F, 0x80, 0xFF][below(4)] }  // LEB128 edges
                }
            }
            return bytes
        }
    }

    @Test("≥ 1,000 mutated binaries: no 5xx, no crash, only the expected statuses")
    func mutatedUploads() async throws {
        try await TestServer().run { client, server in
            let token = try await server.token(role: .deployer)
            let seeds = [WasmFixtures.hello(), WasmFixtures.wasiCommand(), WasmFixtures.component(), WasmFixtures.infiniteStart()]
            var mutator = Mutator(state: 0x5EED_2026_1123)
            var statuses: [Int: Int] = [:]
            for iteration in 0..<Self.iterations {
                let bytes = mutator.mutate(seeds[iteration % seeds.count])
                let status = try await client.execute(
                    uri: "/api/v1/wasm/modules/fuzz/versions/1.0.\(iteration)", method: .put,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/wasm"], body: ByteBuffer(bytes: bytes)
                ) { response in
                    response.status.code
                }
                statuses[status, default: 0] += 1
                if status >= 500 {
                    Issue.record("iteration \(iteration) answered \(status) for \(bytes.count) bytes: \(bytes.prefix(64))")
                }
            }
            #expect(statuses.values.reduce(0, +) == Self.iterations)
            #expect(Set(statuses.keys).isSubset(of: [201, 422]), "statuses: \(statuses)")
            #expect(statuses[422, default: 0] > Self.iterations / 4, "mutations should mostly be refused: \(statuses)")
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test("a chunked upload without Content-Length is cut off with 413 once the streamed count passes the limit")
    func streamedLimit() async throws {
        try await TestServer(environment: ["MODULES_MAX_BYTES": "65536"]).run { client, server in
            let token = try await server.token(role: .deployer)
            let port = try #require(client.port)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/wasm/modules/big/versions/1.0.0")
            request.method = .PUT
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/wasm")
            let header: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
            // 64 MiB would follow if the server kept reading; it must answer long before.
            let sent = NIOLockedValueBox(0)
            let chunks = AsyncStream<ByteBuffer>(unfolding: {
                let index = sent.withLockedValue { count in
                    defer { count += 1 }
                    return count
                }
                guard index < 1024 else { return nil }
                return ByteBuffer(bytes: index == 0 ? header + [UInt8](repeating: 0, count: 65528) : [UInt8](repeating: 0, count: 65536))
            })
            request.body = .stream(chunks, length: .unknown)
            let started = ContinuousClock.now
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                #expect(response.status == .payloadTooLarge)
                let body = try await response.body.collect(upTo: 64 * 1024)
                #expect(String(buffer: body).contains("payload-too-large"))
            } catch let error as HTTPClientError {
                // The server may close the connection while the client is still writing; that is a refusal too.
                #expect([HTTPClientError.remoteConnectionClosed, .cancelled].contains(error) || "\(error)".contains("closed"), "\(error)")
            }
            #expect(ContinuousClock.now - started < .seconds(20))
            #expect(sent.withLockedValue { $0 } < 1024, "the server read the whole 64 MiB instead of stopping at the limit")
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
        }
    }
}
