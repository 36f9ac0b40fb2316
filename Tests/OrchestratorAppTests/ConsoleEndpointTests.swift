import FleetSimulation
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrchestratorDomain
import Testing

/// `/console`: the web console's static shell, and the `allowedActions` its pages are built from.
@Suite("Web console (embedded default)")
struct ConsoleEndpointTests {
    typealias E = DeploymentEndpointTests
    static let policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        + "frame-ancestors 'none'"

    static func expectSecurityHeaders(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.headers[.contentSecurityPolicy] == policy, sourceLocation: sourceLocation)
        #expect(response.headers[.xContentTypeOptions] == "nosniff", sourceLocation: sourceLocation)
        #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", sourceLocation: sourceLocation)
    }

    @Test("/console redirects to /console/, which serves the shell without a token, with the strict policy and no inline script")
    func shell() async throws {
        try await TestServer().run { client, _ in
            try await client.execute(uri: "/console", method: .get) { response in
                #expect(response.status == .movedPermanently)
                #expect(response.headers[.location] == "/console/")
            }
            try await client.execute(uri: "/console/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                Self.expectSecurityHeaders(response)
                #expect(response.headers[.cacheControl] == "no-cache")
                let html = response.text
                #expect(html.contains(#"<script type="module" src="/console/js/app.js"></script>"#))
                // The only <script> names a file: the policy would refuse inline code anyway, and none is written.
                #expect(html.components(separatedBy: "<script").count == 2)
                #expect(!html.contains("style="), "no inline style either")
            }
        }
    }

    @Test("each file has its type and a strong ETag; If-None-Match answers 304; an unknown file is a 404 problem")
    func files() async throws {
        try await TestServer().run { client, _ in
            let etag = try await client.execute(uri: "/console/js/app.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
                Self.expectSecurityHeaders(response)
                #expect(response.text.contains("import"))
                return try #require(response.headers[.eTag])
            }
            #expect(etag.hasPrefix("\"") && etag.count == 34)
            try await client.execute(uri: "/console/css/console.css", method: .get) { response in
                #expect(response.headers[.contentType] == "text/css; charset=utf-8")
                #expect(response.headers[.eTag] != etag)
            }
            try await client.execute(uri: "/console/js/app.js", method: .get, headers: [.ifNoneMatch: etag]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/console/js/nothing-here.js", method: .get) { response in
                _ = try response.problem(status: 404)
                Self.expectSecurityHeaders(response)
            }
            // Paths are looked up in the compiled-in table, never on a file system: a dot-dot segment names nothing.
            try await client.execute(uri: "/console/%2e%2e/openapi.yaml", method: .get) { _ = try $0.problem(status: 404) }
        }
    }

    @Test("allowedActions come from the server: an admin may approve a deployer's deployment; the deployer may only cancel it; a viewer nothing")
    func allowedActions() async throws {
        try await TestServer(environment: E.fastEngine).run { client, server in
            let admin = try await server.token(subject: "ops", role: .admin)
            let deployer = try await server.token(subject: "dev", role: .deployer)
            let viewer = try await server.token(subject: "eve", role: .viewer)
            _ = try await SimulatedFleet.enroll(client, admin: admin, ids: ["c1"])
            _ = try await E.upload(client, deployer)
            let id = try await E.create(client, deployer, E.deploymentBody())
            #expect(try await E.get(client, admin, id)["allowedActions"] as? [String] == ["approve", "reject", "execute", "cancel"])
            #expect(try await E.get(client, deployer, id)["allowedActions"] as? [String] == ["cancel"])
            #expect(try await E.get(client, viewer, id)["allowedActions"] as? [String] == [])
            let listed = try await client.execute(uri: E.base + "/deployments?status=PendingApproval", method: .get, headers: bearer(admin)) {
                try #require($0.json()["deployments"] as? [[String: Any]])
            }
            #expect(listed.first { $0["id"] as? String == id }?["allowedActions"] as? [String] == ["approve", "reject", "execute", "cancel"])
            let approved = try await E.post(client, admin, "/deployments/\(id)/approve", #"{"comment":"fine"}"#)
            #expect(try approved.json()["allowedActions"] as? [String] == ["reject", "execute", "cancel"])
        }
    }
}
