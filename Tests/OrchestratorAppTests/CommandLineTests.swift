import AsyncHTTPClient
import FleetSimulation
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

/// Runs the built `wasm-orchestrator` binary the way operators and scripts do.
@Suite("The wasm-orchestrator command", .serialized)
struct CommandLineTests {
    /// The executable sits next to the test bundle in SwiftPM's build directory.
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wasm-orchestrator").path
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs the binary to its end; `input`, when given, is its standard input (else it inherits none: /dev/null).
    static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil, in directory: String) async throws -> Result {
        try await onOwnThread { try runBlocking(arguments, environment: environment, input: input, in: directory) }
    }

    private static func runBlocking(_ arguments: [String], environment: [String: String], input: String?, in directory: String) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { _, new in new }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("token issue prints a token signed with the key serve uses, creating the data-dir secret mode 0600")
    func tokenIssue() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "build the package first: \(Self.binary)")
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await Self.run(
            ["token", "issue", "--subject", "alice", "--role", "admin", "--ttl", "1h", "--data-dir", "state"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let token = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.split(separator: ".").count == 3)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/state/jwt-secret")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // The same secret signs the next token too (it is reused, not regenerated).
        let again = try await Self.run(["token", "issue", "--subject", "bob", "--role", "viewer", "--data-dir", "state"], in: directory)
        #expect(again.status == 0)
        #expect(try String(contentsOfFile: directory + "/state/jwt-secret", encoding: .utf8).count == 65)
    }

    @Test("token issue refuses bad arguments")
    func tokenIssueValidation() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for arguments in [["--role", "root"], ["--role", "admin", "--ttl", "forever"], ["--role", "agent"]] {
            let result = try await Self.run(["token", "issue", "--subject", "alice"] + arguments, in: directory)
            #expect(result.status != 0)
            #expect(result.stdout.isEmpty)
        }
    }

    @Test("invalid configuration exits 78 and names the key")
    func badConfiguration() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let badPort = try await Self.run(["serve"], environment: ["SERVER_PORT": "abc"], in: directory)
        #expect(badPort.status == 78)
        #expect(badPort.stderr.contains("server.port") && badPort.stderr.contains("SERVER_PORT"))
        let partialS3 = try await Self.run(["serve", "--port", "0"], environment: ["S3_ENDPOINT": "http://127.0.0.1:1"], in: directory)
        #expect(partialS3.status == 78)
        #expect(partialS3.stderr.contains("s3.bucket"))
    }

    @Test("serve answers readiness, prints how to get an admin token, and exits cleanly on SIGTERM")
    func serveAndTerminate() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = freeLoopbackPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--port", String(port)]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var ready = false
        for _ in 0..<100 where !ready {
            try await Task.sleep(for: .milliseconds(100))
            let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/ready"), timeout: .seconds(2))
            ready = response?.status == .ok
        }
        #expect(ready, "the server did not answer /health/ready")
        process.terminate()  // SIGTERM
        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning, "the server did not stop within 5 s of SIGTERM")
        #expect(process.terminationStatus == 0)
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("token issue --subject admin --role admin"))
        #expect(FileManager.default.fileExists(atPath: directory + "/data/orchestrator.sqlite"))
    }
}

extension CommandLineTests {
    @Test("with a certificate and key configured, serve speaks HTTPS (HummingbirdTLS)")
    func tls() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-keyout", directory + "/tls.key", "-out", directory + "/tls.crt",
        ]
        openssl.standardError = FileHandle.nullDevice
        try await onOwnThread {
            try openssl.run()
            openssl.waitUntilExit()
        }
        #expect(openssl.terminationStatus == 0)

        let port = freeLoopbackPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--port", String(port)]
        process.environment = ["SERVER_TLS_CERTIFICATE_PATH": directory + "/tls.crt", "SERVER_TLS_KEY_PATH": directory + "/tls.key"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { process.terminate() }

        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none  // self-signed for this run
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        var status: HTTPResponseStatus?
        for _ in 0..<100 where status == nil {
            try await Task.sleep(for: .milliseconds(100))
            status = try? await client.execute(HTTPClientRequest(url: "https://127.0.0.1:\(port)/health"), timeout: .seconds(2)).status
        }
        #expect(status == .ok)
        let plain = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health"), timeout: .seconds(2))
        #expect(plain?.status != .ok, "plain HTTP must not be served on the TLS port")
        try await client.shutdown()
    }
}
