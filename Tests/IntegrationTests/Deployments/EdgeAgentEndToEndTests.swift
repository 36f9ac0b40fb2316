import AsyncHTTPClient
import FleetSimulation
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import OrchestratorAuth
import OrchestratorDomain
import Testing
import WasmFixtures

/// The loop closed: the built `wasm-orchestrator` and `wasm-edge-agent`
/// binaries as separate processes, on PostgreSQL, Redis and SeaweedFS. The
/// agent really downloads, verifies and runs the WebAssembly it is sent.
@Suite("Edge agent end to end", .serialized)
struct EdgeAgentEndToEndTests {
    static let secret = String(repeating: "5a17e2e", count: 7)

    /// Three versions of a module built from WAT; `handle` returns the version number.
    static func module(_ version: Int) -> [UInt8] {
        WasmFixtures.wat(
            """
            (module
              (memory (export "memory") 1 2)
              (func (export "handle") (result i32) i32.const \(version)))
            """)
    }

    @Test(
        "upload, approve, execute; the agent downloads, verifies and runs it; rollback comes from its cache; a tampered blob is refused",
        .enabled(if: ProductionStackTests.allServices))
    func closedLoop() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            let directory = NSTemporaryDirectory() + uniqueName("e2e")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let port = try FaultTests.closedPort()
            let keyPrefix = uniqueName("e2e") + "/"
            var environment = try ProductionStackTests.productionEnvironment(database: database)
            environment["AUTH_JWT_SECRET"] = Self.secret
            environment["S3_KEY_PREFIX"] = keyPrefix
            environment["SERVER_PORT"] = String(port)
            environment["DATA_DIR"] = directory + "/server"
            environment["DEPLOYMENTS_EVALUATION_INTERVAL_MILLISECONDS"] = "100"
            environment["NODES_HEARTBEAT_INTERVAL_SECONDS"] = "2"
            environment["NODES_OFFLINE_AFTER_SECONDS"] = "10"
            let server = try ChildProcess(binary: "wasm-orchestrator", arguments: ["serve"], environment: environment, log: directory + "/server.log")
            defer { server.stop() }
            let api = API(base: "http://127.0.0.1:\(port)")
            defer { api.shutdown() }
            try await api.waitReady()

            let issuer = try await TokenIssuer.make(settings: AuthSettings(secret: Self.secret))
            let admin = try await issuer.issue(subject: "admin@example.com", role: .admin, ttlSeconds: 600)
            let developer = try await issuer.issue(subject: "dev@example.com", role: .deployer, ttlSeconds: 600)
            let enrollment = try #require(try await api.json(.POST, "/enrollment-tokens", admin, #"{"maxUses":1}"#).1["token"] as? String)

            let agentLog = directory + "/agent.log"
            let agent = try ChildProcess(
                binary: "wasm-edge-agent",
                arguments: [
                    "--node-id", "edge-e2e-01", "--orchestrator-url", api.base, "--insecure", "--region", "eu", "--zone", "eu-1", "--state-dir",
                    directory + "/agent",
                ],
                environment: ["WASM_AGENT_ENROLLMENT_TOKEN": enrollment], log: agentLog)
            defer { agent.stop() }
            do {
                try await scenario(api: api, admin: admin, developer: developer, directory: directory, keyPrefix: keyPrefix, agentLog: agentLog)
            } catch {
                // Keep the evidence in the test output: the tails of both logs.
                for (name, path) in [("agent", agentLog), ("server", directory + "/server.log")] {
                    let lines = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self).split(separator: "\n").suffix(
                        25)
                    Issue.record("\(name) log:\n\(lines.joined(separator: "\n"))")
                }
                throw error
            }
        }
    }

    func scenario(api: API, admin: String, developer: String, directory: String, keyPrefix: String, agentLog: String) async throws {
        do {
            try await api.until("the agent registered and stored its credential") {
                try await api.json(.GET, "/nodes/edge-e2e-01", admin).0 == 200
                    && FileManager.default.fileExists(atPath: directory + "/agent/credential")
            }
            let credential = try String(contentsOfFile: directory + "/agent/credential", encoding: .utf8)
            #expect(credential.hasPrefix("wnc_"))
            let mode = try FileManager.default.attributesOfItem(atPath: directory + "/agent/credential")[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)

            var digests: [Int: String] = [:]
            for version in 1...3 { digests[version] = try await api.upload(developer, "greeter", "\(version).0.0", Self.module(version)) }

            /// Creates (developer), executes (admin: approves and starts) and waits for `status`.
            func deploy(_ version: Int, until status: String) async throws -> String {
                let body =
                    #"{"moduleName":"greeter","moduleVersion":"\#(version).0.0","environment":"production","target":{"nodeIds":["edge-e2e-01"]},"#
                    + #""entrypoint":"handle","resources":{"memory":"1Mi","cpu":"100m"},"nodeTimeoutSeconds":30}"#
                let (created, deployment) = try await api.json(.POST, "/deployments", developer, body)
                #expect(created == 201, "\(deployment)")
                let id = try #require(deployment["id"] as? String)
                let (executed, started) = try await api.json(.POST, "/deployments/\(id)/execute", admin, #"{"approvedBy":"admin@example.com"}"#)
                #expect(executed == 200, "\(started)")
                try await api.until("deployment of \(version).0.0 is \(status)") {
                    try await api.json(.GET, "/deployments/\(id)", developer).1["status"] as? String == status
                }
                return id
            }
            func reported() async throws -> [String: Any] {
                try #require((try await api.json(.GET, "/nodes/edge-e2e-01/status", admin).1["statuses"] as? [[String: Any]])?.first)
            }

            _ = try await deploy(1, until: "Completed")
            var status = try await reported()
            #expect(status["state"] as? String == "running" && status["digest"] as? String == digests[1])
            let second = try await deploy(2, until: "Completed")
            #expect(try await reported()["digest"] as? String == digests[2])

            // Rollback: the agent returns to 1.0.0 from its cache, without downloading.
            // Counted on the server: successful GETs of a version's content (1.0.0 and 2.0.0 so far).
            let downloadsBefore = try await api.contentDownloads()
            #expect(downloadsBefore >= 2)
            let (rolled, _) = try await api.json(
                .POST, "/deployments/\(second)/rollback", admin, #"{"reason":"Production incident - high error rate"}"#)
            #expect(rolled == 200)
            try await api.until("the agent runs 1.0.0 again") {
                let current = try await reported()
                return current["digest"] as? String == digests[1] && current["state"] as? String == "running"
            }
            let log = try String(contentsOfFile: agentLog, encoding: .utf8)
            #expect(log.contains("module found in the local cache; no download"))
            #expect(try await api.contentDownloads() == downloadsBefore)

            // A tampered blob: 3.0.0's bytes are replaced in S3; the agent refuses to run them.
            let hex = try #require(digests[3]?.dropFirst(7))
            try await Self.overwriteBlob(key: "\(keyPrefix)sha256/\(hex)", with: Self.module(99))
            _ = try await deploy(3, until: "RolledBack")
            status = try await reported()
            #expect(status["digest"] as? String == digests[1], "automatic rollback brought back 1.0.0")
            let history = try String(contentsOfFile: agentLog, encoding: .utf8)
            #expect(history.contains("digest mismatch"))
            let ran = history.split(separator: "\n").filter { $0.contains("module running") && $0.contains("version=3.0.0") }
            #expect(ran.isEmpty, "3.0.0 must never run")
        }
    }

    /// A WASI command whose `_start` sleeps ≈ 292 years in `poll_oneoff` (a sleep costs no fuel).
    static let sleeper = WasmFixtures.wat(
        """
        (module
          (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (i32.store (i32.const 16) (i32.const 1))
            (i64.store (i32.const 24) (i64.const 9223372036854775807))
            (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))
        """)

    @Test(
        "a module that sleeps for ever: the rollback still reaches the agent, which runs 1.0.0 again and stops on SIGTERM at once",
        .enabled(if: ProductionStackTests.allServices))
    func sleepingModule() async throws {
        try await PostgresTestDatabase.withDatabase { database in
            let directory = NSTemporaryDirectory() + uniqueName("e2e-sleep")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let port = try FaultTests.closedPort()
            var environment = try ProductionStackTests.productionEnvironment(database: database)
            environment["AUTH_JWT_SECRET"] = Self.secret
            environment["S3_KEY_PREFIX"] = uniqueName("e2e-sleep") + "/"
            environment["SERVER_PORT"] = String(port)
            environment["DATA_DIR"] = directory + "/server"
            environment["DEPLOYMENTS_EVALUATION_INTERVAL_MILLISECONDS"] = "100"
            environment["NODES_HEARTBEAT_INTERVAL_SECONDS"] = "2"
            let server = try ChildProcess(binary: "wasm-orchestrator", arguments: ["serve"], environment: environment, log: directory + "/server.log")
            defer { server.stop() }
            let api = API(base: "http://127.0.0.1:\(port)")
            defer { api.shutdown() }
            try await api.waitReady()
            let issuer = try await TokenIssuer.make(settings: AuthSettings(secret: Self.secret))
            let admin = try await issuer.issue(subject: "admin@example.com", role: .admin, ttlSeconds: 600)
            let developer = try await issuer.issue(subject: "dev@example.com", role: .deployer, ttlSeconds: 600)
            let enrollment = try #require(try await api.json(.POST, "/enrollment-tokens", admin, #"{"maxUses":1}"#).1["token"] as? String)
            // A deadline far beyond the test: only an agent that keeps polling while the module sleeps sees the rollback.
            let agent = try ChildProcess(
                binary: "wasm-edge-agent",
                arguments: [
                    "--node-id", "edge-sleep-01", "--orchestrator-url", api.base, "--insecure", "--state-dir", directory + "/agent",
                    "--entrypoint-timeout-seconds", "3600",
                ],
                environment: ["WASM_AGENT_ENROLLMENT_TOKEN": enrollment], log: directory + "/agent.log")
            defer { agent.stop() }
            try await api.until("the agent registered") { try await api.json(.GET, "/nodes/edge-sleep-01", admin).0 == 200 }
            let good = try await api.upload(developer, "sleepy", "1.0.0", Self.module(1))
            _ = try await api.upload(developer, "sleepy", "2.0.0", Self.sleeper)
            func deploy(_ version: String, entrypoint: String) async throws -> String {
                let body =
                    #"{"moduleName":"sleepy","moduleVersion":"\#(version)","environment":"production","target":{"nodeIds":["edge-sleep-01"]},"#
                    + #""entrypoint":"\#(entrypoint)","resources":{"memory":"1Mi","cpu":"100m"},"nodeTimeoutSeconds":120}"#
                let id = try #require(try await api.json(.POST, "/deployments", developer, body).1["id"] as? String)
                #expect(try await api.json(.POST, "/deployments/\(id)/execute", admin, #"{"approvedBy":"admin@example.com"}"#).0 == 200)
                return id
            }
            func reported() async throws -> [String: Any] {
                try #require((try await api.json(.GET, "/nodes/edge-sleep-01/status", admin).1["statuses"] as? [[String: Any]])?.first)
            }
            let first = try await deploy("1.0.0", entrypoint: "handle")
            try await api.until("1.0.0 completed") {
                try await api.json(.GET, "/deployments/\(first)", developer).1["status"] as? String == "Completed"
            }
            let second = try await deploy("2.0.0", entrypoint: "_start")
            try await api.until("the sleeper is starting") {
                let current = try await reported()
                return current["version"] as? String == "2.0.0" && current["state"] as? String == "starting"
            }
            let (rolled, _) = try await api.json(.POST, "/deployments/\(second)/rollback", admin, #"{"reason":"the module never returns"}"#)
            #expect(rolled == 200)
            try await api.until("the agent runs 1.0.0 again") {
                let current = try await reported()
                return current["digest"] as? String == good && current["state"] as? String == "running"
            }
            let signalled = Date()
            agent.stop()
            #expect(Date().timeIntervalSince(signalled) < 6, "SIGTERM must stop the agent within its grace period")
        }
    }

    /// PUTs other bytes under an existing key, as an attacker with bucket access would.
    static func overwriteBlob(key: String, with bytes: [UInt8]) async throws {
        let file = NSTemporaryDirectory() + uniqueName("tamper")
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let endpoint = try TestServices.require("TEST_S3_ENDPOINT")
        let bucket = try TestServices.require("TEST_S3_BUCKET")
        let access = try TestServices.require("TEST_S3_ACCESS_KEY")
        let secret = try TestServices.require("TEST_S3_SECRET_KEY")
        let region = TestServices.value("TEST_S3_REGION") ?? "us-east-1"
        let status = try await onOwnThread { () throws -> Int32 in
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = [
                "-sf", "--aws-sigv4", "aws:amz:\(region):s3", "--user", "\(access):\(secret)", "-T", file, "\(endpoint)/\(bucket)/\(key)",
            ]
            try curl.run()
            curl.waitUntilExit()
            return curl.terminationStatus
        }
        #expect(status == 0, "curl could not overwrite the blob")
    }
}

/// A built executable of this package running as a child process; stdout and stderr go to `log`.
final class ChildProcess: @unchecked Sendable {
    let process = Process()

    init(binary: String, arguments: [String], environment: [String: String], log: String) throws {
        let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(binary).path
        guard FileManager.default.isExecutableFile(atPath: path) else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A small JSON client for the end-to-end test.
struct API: Sendable {
    let base: String
    let http = HTTPClient(eventLoopGroupProvider: .singleton)

    func shutdown() {
        try? http.syncShutdown()
    }

    func json(_ method: HTTPMethod, _ path: String, _ token: String, _ body: String? = nil) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: base + "/api/v1/wasm" + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), ((try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any]) ?? [:])
    }

    func upload(_ token: String, _ module: String, _ version: String, _ bytes: [UInt8]) async throws -> String {
        var request = HTTPClientRequest(url: base + "/api/v1/wasm/modules/\(module)/versions/\(version)")
        request.method = .PUT
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/wasm")
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        #expect(response.status == .created)
        return try #require((try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])?["digest"] as? String)
    }

    /// Successful module downloads the server has answered: the sum of `http_requests_total`
    /// for `GET …/versions/{version}/content` with status 200, from `/metrics`.
    func contentDownloads() async throws -> Double {
        let response = try await http.execute(HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 8 << 20))
        return text.split(separator: "\n").filter { line in
            line.hasPrefix("http_requests_total{") && line.contains(#"method="GET""#) && line.contains(#"status="200""#)
                && line.contains(#"/versions/{version}/content""#)
        }.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    func waitReady() async throws {
        try await until("the server is ready") {
            let response = try? await http.execute(HTTPClientRequest(url: base + "/health/ready"), timeout: .seconds(2))
            return response?.status == .ok
        }
    }

    /// Polls `condition` every 200 ms for up to 60 s.
    func until(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<300 {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting until \(what)")
        throw CancellationError()
    }
}
