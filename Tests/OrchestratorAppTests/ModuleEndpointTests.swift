import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrchestratorApp
import OrchestratorDomain
import Testing
import WasmFixtures

/// The module endpoints over HTTP, on the embedded default.
@Suite("Module registry endpoints")
struct ModuleEndpointTests {
    static let base = "/api/v1/wasm/modules"

    static func wasmHeaders(_ token: String, contentType: String = "application/wasm") -> HTTPFields {
        var fields = bearer(token)
        fields[.contentType] = contentType
        return fields
    }

    static func put(
        _ client: any TestClientProtocol, _ token: String, _ bytes: [UInt8], module: String = "hello", version: String = "1.0.0",
        query: String = ""
    ) async throws -> TestResponse {
        try await client.execute(
            uri: "\(base)/\(module)/versions/\(version)\(query)", method: .put, headers: wasmHeaders(token), body: ByteBuffer(bytes: bytes)
        ) { $0 }
    }

    @Test("raw upload: 201 with Location and ETag; again 200 with the same body; other bytes 409 naming both digests")
    func rawUpload() async throws {
        try await TestServer().run { client, server in
            let token = try await server.token(subject: "dev", role: .deployer)
            let created = try await Self.put(client, token, WasmFixtures.hello(), query: "?description=Greeter&owner=team-edge")
            #expect(created.status == .created)
            #expect(created.headers[.location] == "\(Self.base)/hello/versions/1.0.0")
            let body = try created.json()
            let digest = try #require(body["digest"] as? String)
            #expect(created.headers[.eTag] == "\"\(digest)\"")
            #expect(body["kind"] as? String == "module")
            #expect(body["sizeBytes"] as? Int == WasmFixtures.hello().count)
            #expect((body["exports"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["memory", "_start", "handle", "version"])
            #expect((body["memory"] as? [[String: Any]])?.first?["maxPages"] as? Int == 4)

            let again = try await Self.put(client, token, WasmFixtures.hello())
            #expect(again.status == .ok)
            #expect(again.text == created.text)

            let conflict = try await Self.put(client, token, WasmFixtures.helloVariant(8))
            let problem = try conflict.problem(status: 409)
            let detail = try #require(problem["detail"] as? String)
            #expect(detail.contains(digest))
            #expect(detail.contains("sha256:") && detail.components(separatedBy: "sha256:").count == 3)

            // Build metadata: the Location header percent-encodes '+', and following it works.
            let build = try await Self.put(client, token, WasmFixtures.helloVariant(11), version: "2.0.0+ci.7")
            #expect(build.status == .created)
            let location = try #require(build.headers[.location])
            #expect(location.hasSuffix("/versions/2.0.0%2Bci.7"))
            try await client.execute(uri: location, method: .get, headers: bearer(token)) { response throws in
                #expect(try response.json()["version"] as? String == "2.0.0+ci.7")
            }
            // An identical re-upload still honours requiredExports.
            _ = try await Self.put(client, token, WasmFixtures.hello(), query: "?requiredExports=nope").problem(status: 422)

            try await client.execute(uri: "\(Self.base)/hello", method: .get, headers: bearer(token)) { response throws in
                let module = try response.json()
                #expect(module["description"] as? String == "Greeter")
                #expect(module["owner"] as? String == "team-edge")
                #expect(module["versionCount"] as? Int == 2)
            }
        }
    }

    @Test("seed 004's JSON form: base64 in 'wasmBinary'; bad base64 and missing fields are 400")
    func jsonUpload() async throws {
        try await TestServer().run { client, server in
            let token = try await server.token(role: .deployer)
            let encoded = Data(WasmFixtures.wasiCommand()).base64EncodedString()
            let json = #"{"name":"wasi-tool","version":"2.0.0","description":"CLI","wasmBinary":"\#(encoded)"}"#
            try await client.execute(
                uri: Self.base, method: .post, headers: Self.wasmHeaders(token, contentType: "application/json"), body: ByteBuffer(string: json)
            ) {
                response throws in
                #expect(response.status == .created)
                let body = try response.json()
                #expect(body["id"] as? String == "wasi-tool@2.0.0")
                #expect((body["wasi"] as? [String: Any])?["required"] as? Bool == true)
            }
            for (payload, slug) in [
                (#"{"name":"x","version":"1.0.0","description":"d","wasmBinary":"AGFzbQ=!*"}"#, "invalid-base64"),
                (#"{"name":"x","version":"1.0.0","description":"d"}"#, "bad-request"),
                (#"{"name":"Not A Name","version":"1.0.0","wasmBinary":"AGFzbQEAAAA="}"#, "invalid-module-name"),
                (#"{"name":"x","version":"1.0","wasmBinary":"AGFzbQEAAAA="}"#, "invalid-version"),
            ] {
                try await client.execute(
                    uri: Self.base, method: .post, headers: Self.wasmHeaders(token, contentType: "application/json"),
                    body: ByteBuffer(string: payload)
                ) {
                    response throws in
                    let problem = try response.problem(status: 400)
                    #expect(problem["type"] as? String == "urn:wasm-orchestrator:problem:\(slug)")
                }
            }
        }
    }

    @Test("invalid binaries get 422 with the parser's reason; missing required exports are named")
    func validation() async throws {
        try await TestServer().run { client, server in
            let token = try await server.token(role: .deployer)
            for bytes in [
                [], Array("GIF89a......".utf8), Array(WasmFixtures.hello().dropLast(4)), WasmFixtures.typeError(), WasmFixtures.truncatedComponent(),
            ] {
                let response = try await Self.put(client, token, bytes)
                let problem = try response.problem(status: 422)
                #expect(problem["type"] as? String == "urn:wasm-orchestrator:problem:invalid-wasm-binary")
                #expect((problem["detail"] as? String)?.hasPrefix("Invalid WASM binary") == true)
            }
            let missing = try await Self.put(client, token, WasmFixtures.hello(), query: "?requiredExports=handle,init,_start")
            let problem = try missing.problem(status: 422)
            #expect((problem["detail"] as? String)?.hasSuffix(": init") == true)
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.text.contains(#"wasm_module_validation_failures_total{reason="malformed"}"#))
                #expect(response.text.contains(#"wasm_module_validation_failures_total{reason="missing-exports"}"#))
                #expect(response.text.contains(#"wasm_module_upload_bytes_bucket{le="4096.0"}"#))
                #expect(response.text.contains("wasm_modules_registered_total"))
            }
        }
    }

    @Test("media type and size: 415 for other types, 413 by Content-Length before reading")
    func mediaTypeAndSize() async throws {
        try await TestServer(environment: ["MODULES_MAX_BYTES": "65536"]).run { client, server in
            let token = try await server.token(role: .deployer)
            try await client.execute(
                uri: "\(Self.base)/hello/versions/1.0.0", method: .put, headers: Self.wasmHeaders(token, contentType: "text/plain"),
                body: ByteBuffer(bytes: WasmFixtures.hello())
            ) { _ = try $0.problem(status: 415) }
            let big = try await Self.put(client, token, WasmFixtures.hello() + [UInt8](repeating: 0, count: 65536))
            _ = try big.problem(status: 413)
            // The limit is exact: a module of exactly the limit is fine if valid, one byte over is not.
            let padded = WasmFixtures.wat("(module (@custom \"pad\" \"\(String(repeating: "x", count: 100))\"))")
            #expect(try await Self.put(client, token, padded, module: "small").status == .created)
        }
    }

    @Test("50 MB + 1 byte is refused with 413 at the default limit")
    func defaultLimit() async throws {
        try await TestServer().run { client, server in
            let token = try await server.token(role: .deployer)
            var bytes = [UInt8](repeating: 0, count: 50 * 1024 * 1024 + 1)
            bytes.replaceSubrange(0..<8, with: [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00])
            _ = try await Self.put(client, token, bytes).problem(status: 413)
        }
    }

    @Test("roles: viewers read, deployers upload and yank, only admins delete or restore a yanked version; agents get 403")
    func roles() async throws {
        try await TestServer().run { client, server in
            let deployer = try await server.token(subject: "dev", role: .deployer)
            let viewer = try await server.token(subject: "eve", role: .viewer)
            let admin = try await server.token(subject: "root", role: .admin)
            let agent = try await server.token(subject: "node:edge-1", role: .agent, node: "edge-1")
            _ = try await Self.put(client, viewer, WasmFixtures.hello()).problem(status: 403)
            #expect(try await Self.put(client, deployer, WasmFixtures.hello()).status == .created)
            let version = "\(Self.base)/hello/versions/1.0.0"
            try await client.execute(uri: version, method: .get, headers: bearer(viewer)) { #expect($0.status == .ok) }
            try await client.execute(uri: version, method: .get) { _ = try $0.problem(status: 401) }
            try await client.execute(uri: version + "/content", method: .get, headers: bearer(agent)) { _ = try $0.problem(status: 403) }
            try await client.execute(uri: version + "/yank", method: .post, headers: bearer(viewer)) { _ = try $0.problem(status: 403) }
            try await client.execute(uri: version + "/yank", method: .post, headers: bearer(deployer)) { response throws in
                #expect(try response.json()["status"] as? String == "yanked")
            }
            try await client.execute(uri: version + "/deprecate", method: .post, headers: bearer(deployer)) { response throws in
                let problem = try response.problem(status: 409)
                #expect((problem["detail"] as? String)?.contains("yanked") == true)
            }
            try await client.execute(uri: version + "/restore", method: .post, headers: bearer(deployer)) { _ = try $0.problem(status: 403) }
            try await client.execute(uri: version + "/restore", method: .post, headers: bearer(admin)) { response throws in
                #expect(try response.json()["status"] as? String == "active")
            }
            try await client.execute(uri: version, method: .delete, headers: bearer(deployer)) { _ = try $0.problem(status: 403) }
            try await client.execute(uri: version, method: .delete, headers: bearer(admin)) { #expect($0.status == .noContent) }
            try await client.execute(uri: version, method: .get, headers: bearer(viewer)) { _ = try $0.problem(status: 404) }
        }
    }

    @Test("download streams the bytes with ETag = digest; If-None-Match answers 304")
    func download() async throws {
        try await TestServer().run { client, server in
            let token = try await server.token(role: .deployer)
            let bytes = WasmFixtures.wasiCommand()
            let digest = try #require(try await Self.put(client, token, bytes).json()["digest"] as? String)
            let uri = "\(Self.base)/hello/versions/1.0.0/content"
            try await client.execute(uri: uri, method: .get, headers: bearer(token)) { response in
                #expect(response.status == .ok)
                #expect(Array(buffer: response.body) == bytes)
                #expect(response.headers[.contentType] == "application/wasm")
                #expect(response.headers[.eTag] == "\"\(digest)\"")
            }
            var conditional = bearer(token)
            conditional[.ifNoneMatch] = "\"\(digest)\""
            try await client.execute(uri: uri, method: .get, headers: conditional) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "\(Self.base)/hello/versions/9.9.9/content", method: .get, headers: bearer(token)) {
                _ = try $0.problem(status: 404)
            }
        }
    }

    @Test("listings: limit, opaque cursor in body and Link header, filters; bad paging input is 400")
    func listings() async throws {
        try await TestServer().run { client, server in
            let token = try await server.token(role: .deployer)
            for name in ["svc-a", "svc-b", "svc-c", "other"] {
                _ = try await Self.put(client, token, WasmFixtures.hello(), module: name)
            }
            let first = try await client.execute(uri: "\(Self.base)?namePrefix=svc-&limit=2", method: .get, headers: bearer(token)) { $0 }
            let firstBody = try first.json()
            #expect((firstBody["modules"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["svc-a", "svc-b"])
            let cursor = try #require(firstBody["nextCursor"] as? String)
            let link = try #require(first.headers[HTTPField.Name("Link")!])
            #expect(link.hasPrefix("</api/v1/wasm/modules?") && link.hasSuffix(">; rel=\"next\"") && link.contains("cursor=\(cursor)"))
            let nextURI = String(link.dropFirst().prefix { $0 != ">" })
            try await client.execute(uri: nextURI, method: .get, headers: bearer(token)) { response throws in
                let body = try response.json()
                #expect((body["modules"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["svc-c"])
                #expect(body["nextCursor"] == nil)
                #expect(response.headers[HTTPField.Name("Link")!] == nil)
            }
            for bad in ["?limit=0", "?limit=500", "?limit=abc", "?cursor=!!", "?kind=plugin", "?status=gone"] {
                try await client.execute(uri: Self.base + bad, method: .get, headers: bearer(token)) { _ = try $0.problem(status: 400) }
            }
            let versionCursor = try await client.execute(uri: "\(Self.base)/svc-a/versions?limit=1", method: .get, headers: bearer(token)) {
                response throws in try response.json()["nextCursor"]
            }
            #expect(versionCursor == nil)
            try await client.execute(uri: "\(Self.base)/svc-a/versions?cursor=\(cursor)", method: .get, headers: bearer(token)) {
                _ = try $0.problem(status: 400)  // a module cursor is not a version cursor
            }
        }
    }

    @Test("writes and refusals are audited with actor, action, target, outcome and request id")
    func audit() async throws {
        try await TestServer().run { client, server in
            let deployer = try await server.token(subject: "dev", role: .deployer)
            let viewer = try await server.token(subject: "eve", role: .viewer)
            _ = try await Self.put(client, deployer, WasmFixtures.hello())
            _ = try await Self.put(client, viewer, WasmFixtures.hello(), version: "2.0.0")
            _ = try await Self.put(client, deployer, WasmFixtures.typeError(), version: "3.0.0")
            let events = try await server.recentAudit(limit: 3)
            #expect(events.map(\.action) == ["module.version.upload", "module.version.upload", "module.version.upload"])
            #expect(events.map(\.outcome) == [.failure, .denied, .success])
            #expect(events.map(\.actor) == ["dev", "eve", "dev"])
            #expect(events.map(\.target) == ["module:hello@3.0.0", "module:hello@2.0.0", "module:hello@1.0.0"])
            #expect(events.allSatisfy { $0.requestID?.isEmpty == false })
        }
    }
}

extension Array where Element == UInt8 {
    init(buffer: ByteBuffer) {
        self = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? []
    }
}
