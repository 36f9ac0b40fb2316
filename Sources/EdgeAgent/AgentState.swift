import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The node credential on disk: `<state>/credential`, mode 0600, written atomically.
public struct CredentialFile: Sendable {
    public let path: String

    public init(stateDirectory: String) {
        path = (stateDirectory as NSString).appendingPathComponent("credential")
    }

    /// The stored credential; `nil` when absent, empty, or not a regular file (a symbolic link is not followed).
    public func read() -> String? {
        guard ModuleCache.kind(of: path) == .file, let data = FileManager.default.contents(atPath: path), data.count <= 4096 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    public func write(_ credential: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = path + ".tmp"
        unlink(temporary)
        // Created 0600 from the start (never briefly readable), flushed before the rename.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
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
///
/// The name and digest come from the orchestrator and are checked first
/// (``ServerInput``): a name is a DNS label, a digest 64 hex digits, so a path
/// never leaves `<state>/modules`. A symbolic link where the cache expects a
/// directory or a file is refused (never followed), and pruning deletes only
/// regular files named `<64 hex>.wasm`.
public struct ModuleCache: Sendable {
    public let root: String
    public let keep: Int

    /// Why the cache refused to store.
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    public init(stateDirectory: String, keep: Int) {
        root = (stateDirectory as NSString).appendingPathComponent("modules")
        self.keep = min(max(1, keep), 1000)
    }

    /// The file of a checked name and digest, or `nil` when either is refused.
    func path(module: String, digest: String) -> (directory: String, file: String)? {
        guard ServerInput.isModuleName(module), let hex = ServerInput.sha256Hex(digest) else { return nil }
        return ("\(root)/\(module)", "\(root)/\(module)/\(hex).wasm")
    }

    /// The cached bytes, re-verified against the digest (a corrupted file, a
    /// symbolic link or a refused name counts as absent).
    public func load(module: String, digest: String) -> [UInt8]? {
        guard let (directory, file) = path(module: module, digest: digest), let hex = ServerInput.sha256Hex(digest),
            Self.kind(of: root) == .directory, Self.kind(of: directory) == .directory, Self.kind(of: file) == .file,
            let data = FileManager.default.contents(atPath: file)
        else { return nil }
        let bytes = [UInt8](data)
        guard Self.sha256(bytes) == hex else { return nil }
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: file)
        return bytes
    }

    /// Stores verified bytes and prunes older versions of the module.
    public func store(module: String, digest: String, bytes: [UInt8]) throws {
        guard let (directory, file) = path(module: module, digest: digest) else {
            throw Refusal(description: "refused: a module name or digest that is not safe as a file name")
        }
        for (path, what) in [(root, "the cache directory"), (directory, "the module's cache directory")] {
            switch Self.kind(of: path) {
            case .absent:
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            case .directory: break
            case .file, .other: throw Refusal(description: "refused: \(what) is a symbolic link or not a directory")
            }
        }
        guard Self.kind(of: directory) == .directory else { throw Refusal(description: "refused: the module's cache directory is not a directory") }
        // Written to a temporary file and renamed: rename(2) replaces a link at `file`, it never writes through it.
        try Data(bytes).write(to: URL(fileURLWithPath: file), options: .atomic)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { name in
            name.utf8.count == 69 && name.hasSuffix(".wasm") && ServerInput.sha256Hex("sha256:" + name.prefix(64)) != nil
                && Self.kind(of: "\(directory)/\(name)") == .file
        }
        let dated = files.map { name -> (String, Date) in
            let attributes = try? FileManager.default.attributesOfItem(atPath: "\(directory)/\(name)")
            return (name, attributes?[.modificationDate] as? Date ?? .distantPast)
        }.sorted { $0.1 > $1.1 }
        for (name, _) in dated.dropFirst(keep) { unlink("\(directory)/\(name)") }
    }

    enum Kind { case absent, directory, file, other }

    /// What is at `path`, without following a symbolic link (`lstat`).
    static func kind(of path: String) -> Kind {
        var status = stat()
        guard lstat(path, &status) == 0 else { return .absent }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        default: return .other
        }
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
        let idle = fields[3] &+ (fields.count > 4 ? fields[4] : 0)
        // Checked: counters from /proc can wrap or go back (a VM migration); that reads as 0, never a trap.
        var total: UInt64 = 0
        for field in fields {
            let (sum, overflow) = total.addingReportingOverflow(field)
            guard !overflow else { return 0 }
            total = sum
        }
        guard idle <= total else { return 0 }
        defer { previous = (total - idle, total) }
        guard let previous, total > previous.total, total - idle >= previous.busy else { return 0 }
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
