import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import OrchestratorAuth
import OrchestratorDomain
import Testing
import WasmFixtures

/// Module upload and download through the whole server on PostgreSQL, Redis and SeaweedFS.
@Suite("Module registry on the production stack")
struct RegistryProductionTests {
    static func environment(database: String, download: String) throws -> [String: String] {
        var environment = try ProductionStackTests.productionEnvironment(database: database)
        environment["MODULES_DOWNLOAD"] = download
        environment["S3_KEY_PREFIX"] = uniqueName("prodtest") + "/"
        return environment
    }

    static func upload(_ client: any TestClientProtocol, token: String, bytes: [UInt8]) async throws -> String {
        try await client.execute(
            uri: "/api/v1/wasm/modules/edge-fn/versions/1.2.3", method: .put,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/wasm"], body: ByteBuffer(bytes: bytes)
        ) { response throws in
            #expect(response.status == .created)
            let body = try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            return try #require(body["digest"] as? String)
        }
    }

    @Test("upload, then download streamed from S3 through the server", .enabled(if: ProductionStackTests.allServices))
    func proxiedDownload() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            let token = try await ProductionStackTests.adminToken()
            try await ProductionStackTests.withServer(try Self.environment(database: database, download: "proxy")) { client in
                let bytes = WasmFixtures.wasiCommand()
                let digest = try await Self.upload(client, token: token, bytes: bytes)
                try await client.execute(
                    uri: "/api/v1/wasm/modules/edge-fn/versions/1.2.3/content", method: .get, headers: [.authorization: "Bearer \(token)"]
                ) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.eTag] == "\"\(digest)\"")
                    #expect(Array(response.body.readableBytesView) == bytes)
                }
            }
        }
    }

    @Test("redirect mode answers 307 to a presigned S3 URL that serves the bytes", .enabled(if: ProductionStackTests.allServices))
    func presignedRedirect() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            let token = try await ProductionStackTests.adminToken()
            try await ProductionStackTests.withServer(try Self.environment(database: database, download: "redirect")) { client in
                let bytes = WasmFixtures.hello()
                _ = try await Self.upload(client, token: token, bytes: bytes)
                let location = try await client.execute(
                    uri: "/api/v1/wasm/modules/edge-fn/versions/1.2.3/content", method: .get, headers: [.authorization: "Bearer \(token)"]
                ) { response throws in
                    #expect(response.status == .temporaryRedirect)
                    return try #require(response.headers[.location])
                }
                #expect(location.hasPrefix(try TestServices.require("TEST_S3_ENDPOINT")))
                #expect(location.contains("X-Amz-Signature="))
                let fetched = try await HTTPClient.shared.execute(HTTPClientRequest(url: location), timeout: .seconds(10))
                #expect(fetched.status == .ok)
                #expect(Array(try await fetched.body.collect(upTo: 1 << 20).readableBytesView) == bytes)
            }
        }
    }
}
