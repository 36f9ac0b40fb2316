import HTTPTypes
import Foundation
import HummingbirdTesting
import Testing

@Suite("Health, metrics and the OpenAPI document (embedded default)")
struct HealthEndpointTests {
    @Test("liveness answers Healthy")
    func liveness() async throws {
        try await TestServer().run { client, _ in
            try await client.execute(uri: "/health", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect(try response.json()["status"] as? String == "Healthy")
            }
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

    @Test("the OpenAPI document is served and describes the live routes")
    func openAPI() async throws {
        try await TestServer().run { client, _ in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/yaml")
                let text = response.text
                #expect(text.hasPrefix("openapi: 3.1"))
                for path in ["/health:", "/health/ready:", "/metrics:", "/openapi.yaml:", "/api/v1/wasm/auth/whoami:", "/api/v1/wasm/auth/tokens:"] {
                    #expect(text.contains("\n  \(path)"), "missing \(path)")
                }
            }
        }
    }
}
