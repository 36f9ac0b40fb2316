import Crypto
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The node credential on disk: `<state>/credential`, mode 0600, written atomically.
public struct CredentialFile: Sendable {
    public let path: String

    public init(stateDirectory: String) {
        path = (stateDirectory as NSString).appendingPathComponent("credential")
    }

    public func read() -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    public func write(_ credential: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = path + ".tmp"
        unlink(temporary)
        // Created 0600 from the start (never briefly readable), flushed before the rename.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary]) }
        let bytes = Array(credential.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        Glibc.close(descriptor)
        guard written == bytes.count, synced == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary]) }
        // rename(2) is atomic and, unlike FileManager.replaceItemAt on Linux, needs no existing destination.
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }
}

/// Verified module binaries on disk, by digest: `<state>/modules/<name>/<hex>.wasm`.
/// Keeps the newest `keep` per module, so a rollback finds its version here.
public struct ModuleCache: Sendable {
    public let root: String
    public let keep: Int

    public init(stateDirectory: String, keep: Int) {
        root = (stateDirectory as NSString).appendingPathComponent("modules")
        self.keep = max(1, keep)
    }

    func path(module: String, hex: String) -> String {
        "\(root)/\(module)/\(hex).wasm"
    }

    /// The cached bytes, re-verified against the digest (a corrupted file counts as absent).
    public func load(module: String, digest: String) -> [UInt8]? {
        guard let hex = Self.hex(of: digest), let data = FileManager.default.contents(atPath: path(module: module, hex: hex)) else { return nil }
        let bytes = [UInt8](data)
        guard Self.sha256(bytes) == hex else { return nil }
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: path(module: module, hex: hex))
        return bytes
    }

    /// Stores verified bytes and prunes older versions of the module.
    public func store(module: String, digest: String, bytes: [UInt8]) throws {
        guard let hex = Self.hex(of: digest) else { return }
        let directory = "\(root)/\(module)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path(module: module, hex: hex)), options: .atomic)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".wasm") }
        let dated = files.map { name -> (String, Date) in
            let attributes = try? FileManager.default.attributesOfItem(atPath: "\(directory)/\(name)")
            return (name, attributes?[.modificationDate] as? Date ?? .distantPast)
        }.sorted { $0.1 > $1.1 }
        for (name, _) in dated.dropFirst(keep) { try? FileManager.default.removeItem(atPath: "\(directory)/\(name)") }
    }

    static func hex(of digest: String) -> String? {
        guard digest.hasPrefix("sha256:") else { return nil }
        let hex = String(digest.dropFirst(7))
        return hex.count == 64 && hex.allSatisfy(\.isHexDigit) ? hex.lowercased() : nil
    }

    public static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}

/// Host CPU and memory from `/proc` (Linux); zeros elsewhere.
public final class HostMetrics: @unchecked Sendable {
    private var previous: (busy: UInt64, total: UInt64)?

    public init() {}

    /// CPU use since the previous call, in percent of all cores.
    public func cpuPercent() -> Double {
        guard let line = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8))?.split(separator: "\n").first else { return 0 }
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 4 else { return 0 }
        let idle = fields[3] + (fields.count > 4 ? fields[4] : 0)
        let total = fields.reduce(0, +)
        defer { previous = (total - idle, total) }
        guard let previous, total > previous.total else { return 0 }
        return min(100, Double((total - idle) - previous.busy) / Double(total - previous.total) * 100)
    }

    /// Memory in use (total − available), in MB.
    public func memoryUsedMB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return 0 }
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":")
            guard parts.count == 2, let kb = Double(parts[1].split(separator: " ").first ?? "") else { continue }
            values[String(parts[0])] = kb
        }
        guard let total = values["MemTotal"], let available = values["MemAvailable"] else { return 0 }
        return (total - available) / 1024
    }
}
