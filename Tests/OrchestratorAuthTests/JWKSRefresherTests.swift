import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import NIOConcurrencyHelpers
import NIOCore
import OrchestratorDomain
import Testing

@testable import OrchestratorAuth

@Suite("JWKS fetched over HTTP")
struct JWKSRefresherTests {
    @Test("keys from a JWKS URL verify tokens; a failed refresh keeps the previous keys")
    func refresh() async throws {
        let privateKey = P256.Signing.PrivateKey()
        let point = privateKey.publicKey.x963Representation.dropFirst()
        let document =
            #"{"keys":[{"kty":"EC","crv":"P-256","kid":"idp-1","alg":"ES256","#
            + #""x":"\#(TokenFixtures.base64URL(point.prefix(32)))","y":"\#(TokenFixtures.base64URL(point.suffix(32)))"}]}"#
        let failing = NIOLockedValueBox(false)
        let router = Router()
        router.get("/jwks.json") { _, _ -> Response in
            if failing.withLockedValue({ $0 }) { return Response(status: .internalServerError) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let settings = AuthSettings(
                jwksURL: "http://127.0.0.1:\(try #require(client.port))/jwks.json", issuer: TokenFixtures.issuer, audience: TokenFixtures.audience)
            let verifier = try await TokenVerifier.make(settings: settings, now: { TokenFixtures.now })
            let refresher = JWKSRefresher(
                url: try #require(settings.jwksURL), intervalSeconds: 60, keyRing: verifier.keyRing, logger: Logger(label: "test"))
            #expect(try await refresher.refresh() == 1)

            let keys = JWTKeyCollection()
            await keys.add(ecdsa: try ES256PrivateKey(pem: privateKey.pemRepresentation), kid: "idp-1")
            let token = try await keys.sign(TokenFixtures.claims(), kid: "idp-1")
            #expect(try await verifier.verify(token).subject == "alice")
            // With only a JWKS configured there is no local key: a token without kid is refused.
            let unnamed = try await keys.sign(TokenFixtures.claims())
            await #expect(throws: AuthenticationError.unknownKey) { try await verifier.verify(unnamed) }

            failing.withLockedValue { $0 = true }
            await #expect(throws: (any Error).self) { try await refresher.refresh() }
            #expect(try await verifier.verify(token).subject == "alice")
        }
    }

    @Test("an issuer that stalls after the response head ends the fetch at its timeout, not never", .timeLimit(.minutes(2)))
    func stalledDocument() async throws {
        // The stall ends with the test: the server's shutdown waits for its responses.
        let released = NIOLockedValueBox(false)
        let router = Router()
        router.get("/jwks.json") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: #"{"keys":["#))
                    while !released.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(50)) }
                    try await writer.finish(nil)
                })
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            defer { released.withLockedValue { $0 = true } }
            let settings = AuthSettings(secret: String(repeating: "k", count: 32))
            let verifier = try await TokenVerifier.make(settings: settings, now: { TokenFixtures.now })
            let refresher = JWKSRefresher(
                url: "http://127.0.0.1:\(try #require(client.port))/jwks.json", intervalSeconds: 60, keyRing: verifier.keyRing,
                timeout: .seconds(5), logger: Logger(label: "test"))
            let started = ContinuousClock.now
            await #expect(throws: (any Error).self) { try await refresher.refresh() }
            // Without the deadline over the body this never ends (the time limit stops that failure).
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .seconds(40), "ended after \(elapsed)")
        }
    }
}
