import FleetSimulation
import Foundation
import Testing
import Yams

/// The deploy files, Dockerfile and OpenAPI document parse and follow the rules operators rely on.
@Suite("Packaging and deployment files")
struct PackagingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test("every Kubernetes manifest parses; the Deployment probes /health and /health/ready on 5000 as non-root")
    func kubernetes() throws {
        let directory = Self.root.appendingPathComponent("deploy/kubernetes")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.contains("deployment.yaml") && files.contains("service.yaml"))
        var kinds: [String] = []
        for file in files {
            for document in try Yams.load_all(yaml: try Self.text("deploy/kubernetes/\(file)")) {
                let manifest = try #require(document as? [String: Any], "\(file) is not a mapping")
                kinds.append(manifest["kind"] as? String ?? "?")
            }
        }
        #expect(Set(kinds).isSuperset(of: ["Deployment", "Service", "ConfigMap", "Secret"]))
        let deployment = try #require(try Yams.load(yaml: try Self.text("deploy/kubernetes/deployment.yaml")) as? [String: Any])
        let pod = try #require(((deployment["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        let liveness = try #require((container["livenessProbe"] as? [String: Any])?["httpGet"] as? [String: Any])
        let readiness = try #require((container["readinessProbe"] as? [String: Any])?["httpGet"] as? [String: Any])
        #expect(liveness["path"] as? String == "/health")
        #expect(readiness["path"] as? String == "/health/ready")
        #expect([liveness["port"], readiness["port"]].allSatisfy { ($0 as? Int) == 5000 || ($0 as? String) == "http" })
        #expect((pod["securityContext"] as? [String: Any])?["runAsNonRoot"] as? Bool == true)
    }

    @Test("the compose file has the four services and takes secrets only from the environment")
    func compose() throws {
        let compose = try #require(try Yams.load(yaml: try Self.text("deploy/docker-compose.yml")) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        #expect(Set(services.keys).isSuperset(of: ["orchestrator", "postgres", "redis", "s3"]))
        for (name, service) in services {
            guard let environment = (service as? [String: Any])?["environment"] as? [String: Any] else { continue }
            for (key, value) in environment where ["PASSWORD", "SECRET", "KEY"].contains(where: key.uppercased().contains) {
                let text = "\(value)"
                #expect(text.contains("${"), "\(name).\(key) must come from the environment, not a literal")
            }
        }
    }

    @Test("the Dockerfile is multi-stage, runs as non-root and has a HEALTHCHECK")
    func dockerfile() throws {
        let lines = try Self.text("Dockerfile").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.filter { $0.hasPrefix("FROM ") }.count >= 2)
        let user = try #require(lines.last { $0.hasPrefix("USER ") })
        #expect(!user.hasSuffix(" root") && !user.hasSuffix(" 0"))
        #expect(lines.contains { $0.hasPrefix("HEALTHCHECK") })
    }

    @Test("the OpenAPI document parses as 3.1 with the problem schema and bearer security")
    func openAPI() throws {
        let document = try #require(try Yams.load(yaml: try Self.text("openapi.yaml")) as? [String: Any])
        #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
        let components = try #require(document["components"] as? [String: Any])
        #expect((components["schemas"] as? [String: Any])?["Problem"] != nil)
        #expect((components["securitySchemes"] as? [String: Any])?["bearerAuth"] != nil)
    }

    /// The full linters (openapi-spec-validator, compose/Kubernetes rules) from scripts/lint-packaging.py.
    @Test(
        "scripts/lint-packaging.py passes",
        .enabled(if: PackagingTests.pythonLintAvailable || ProcessInfo.processInfo.environment["CI_REQUIRE_SERVICES"] == "1"))
    func lintScript() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.root.appendingPathComponent("scripts/lint-packaging.py").path]
        process.currentDirectoryURL = Self.root
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        let output = try await onOwnThread {
            try process.run()
            let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return output
        }
        #expect(process.terminationStatus == 0, "\(output)")
    }

    static var pythonLintAvailable: Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import yaml, openapi_spec_validator"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
