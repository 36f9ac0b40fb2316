import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import Yams

@Suite("Health, metrics and the OpenAPI document (embedded default)")
struct HealthEndpointTests {
    @Test("liveness answers seed 004's shape: status, dependencies, version and uptime")
    func liveness() async throws {
        try await TestServer().run { client, _ in
            // The states come from background pings every 5 s (each within 1 s): on a loaded machine
            // one may have missed its deadline, so wait for a round that saw every dependency answer.
            var body: [String: Any] = [:]
            for _ in 0..<60 {
                body = try await client.execute(uri: "/health", method: .get) { response throws in
                    #expect(response.status == .ok)
                    #expect(response.headers[.cacheControl] == "no-store")
                    return try response.json()
                }
                if body["status"] as? String == "Healthy" { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(body.keys.sorted() == ["dependencies", "status", "uptime", "version"])
            #expect(body["status"] as? String == "Healthy")
            #expect(body["dependencies"] as? [String: String] == ["sqlite": "Healthy", "inProcessCache": "Healthy", "filesystem": "Healthy"])
            #expect(body["version"] as? String == "0.1.0")
            #expect((body["uptime"] as? String)?.hasPrefix("PT") == true)
        }
    }

    @Test("readiness names the embedded backends, version and uptime in seed 004's shape")
    func readiness() async throws {
        try await TestServer().run { client, _ in
            try await client.execute(uri: "/health/ready", method: .get) { response throws in
                #expect(response.status == .ok)
                let body = try response.json()
                #expect(body["status"] as? String == "Healthy")
                #expect(body["dependencies"] as? [String: String] == ["sqlite": "Healthy", "inProcessCache": "Healthy", "filesystem": "Healthy"])
                #expect(body["version"] as? String == "0.1.0")
                let uptime = try #require(body["uptime"] as? String)
                #expect(uptime.hasPrefix("PT") && (uptime.hasSuffix("S") || uptime.hasSuffix("M") || uptime.hasSuffix("H")))
            }
        }
    }

    @Test("metrics are labelled by route template, never by the raw path")
    func metrics() async throws {
        try await TestServer().run { client, _ in
            let probe = "/no-such-route-\(UUID().uuidString)"
            try await client.execute(uri: probe, method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/health/ready", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = response.text
                #expect(text.contains(#"http_requests_total{method="GET",route="/health/ready",status="200"}"#))
                #expect(text.contains(#"http_request_duration_seconds_bucket{method="GET",route="/health/ready""#))
                #expect(!text.contains(probe))
            }
        }
    }

    @Test("each server counts only its own requests: two servers in one process keep separate metrics")
    func metricsBelongToTheServer() async throws {
        let probe = "/probe-\(UUID().uuidString)"
        let counted = #"http_requests_total{method="GET",route="/health/ready",status="200"} 3"#
        try await TestServer().run { first, _ in
            try await TestServer().run { second, _ in
                // The first ready answer waits for the schema (answers before it are counted with status 503, not 200).
                var ready = false
                for _ in 0..<500 where !ready {
                    ready = try await first.execute(uri: "/health/ready", method: .get) { $0.status == .ok }
                    if !ready { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(ready)
                for _ in 0..<2 { try await first.execute(uri: "/health/ready", method: .get) { #expect($0.status == .ok) } }
                try await second.execute(uri: probe, method: .get) { #expect($0.status == .notFound) }
                let firstText = try await first.execute(uri: "/metrics", method: .get) { $0.text }
                let secondText = try await second.execute(uri: "/metrics", method: .get) { $0.text }
                #expect(firstText.contains(counted))
                #expect(!secondText.contains(#"route="/health/ready""#))
                #expect(secondText.contains(#"http_requests_total{method="GET",route="NotFound",status="404"} 1"#))
                #expect(!firstText.contains(#"route="NotFound""#))
            }
        }
    }

    @Test("the OpenAPI document is served and describes the live routes")
    func openAPI() async throws {
        try await TestServer().run { client, server in
            let documented = try await client.execute(uri: "/openapi.yaml", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/yaml")
                let text = response.text
                #expect(text.hasPrefix("openapi: 3.1"))
                return try Self.operations(inOpenAPI: text)
            }
            // The web console's static files (`/console/…`) are not API operations and are not in the document (docs/api.md).
            let routed = try server.routes().filter { !$0.hasPrefix("GET /console") }
            #expect(routed.count >= 47 && documented.count >= 47)
            #expect(routed.subtracting(documented).sorted() == [], "routes the document does not describe")
            #expect(documented.subtracting(routed).sorted() == [], "documented operations no route serves")
        }
    }

    /// Every `METHOD /path` the document's `paths` declare (methods upper-cased, templates as written).
    static func operations(inOpenAPI text: String) throws -> Set<String> {
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        return Set(
            paths.flatMap { path, item in
                (item as? [String: Any] ?? [:]).keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" }
            })
    }
}
