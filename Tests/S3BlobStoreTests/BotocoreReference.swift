import Foundation

/// Environment switches shared by tests that need outside tools or services.
enum TestRequirements {
    /// Set by `scripts/test.sh` (and so in CI): tests that need services or tools must run, not skip.
    static var servicesRequired: Bool {
        ProcessInfo.processInfo.environment["CI_REQUIRE_SERVICES"] == "1"
    }
}

/// Runs `scripts/sigv4_reference.py` (botocore) as the reference signer.
enum BotocoreReference {
    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/sigv4_reference.py").path
    }

    static var isAvailable: Bool {
        (try? run(["-c", "import botocore"], input: Data())) != nil
    }

    /// Returns botocore's presigned URL for each input.
    static func presign(_ inputs: [BotocorePresign.Input]) throws -> [String] {
        let output = try run([scriptPath], input: try JSONEncoder().encode(inputs))
        struct Result: Decodable { let url: String }
        return try JSONDecoder().decode([Result].self, from: output).map(\.url)
    }

    private static func run(_ arguments: [String], input: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return data
    }
}
