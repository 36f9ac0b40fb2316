import EdgeAgent
import Foundation
import Testing

/// Issue 11, item 8: server-supplied names, versions and digests never reach the file system unchecked.
@Suite("Paths under the state directory")
struct PathSafetyTests {
    static let hostile = [
        "../escape", "../../etc", "/etc/passwd", "a/b", "..", ".", "", "a\u{0}b", "a\nb", "name\u{7F}", String(repeating: "a", count: 64),
        "UPPER", "-lead", "trail-", "a b", "caf\u{E9}", "a\\b", "%2e%2e",
    ]

    @Test("hostile module names are not names", arguments: hostile)
    func hostileNames(_ name: String) {
        #expect(!ServerInput.isModuleName(name))
    }

    @Test("digests are exactly sha256:<64 hex>")
    func digests() {
        let hex = String(repeating: "ab", count: 32)
        #expect(ServerInput.sha256Hex("sha256:" + hex) == hex)
        #expect(ServerInput.sha256Hex("sha256:" + hex.uppercased()) == hex)
        for bad in [
            "sha256:" + hex + "0", "sha256:../" + hex.dropFirst(3), "sha512:" + hex, "sha256:" + hex.dropLast() + "g",
            "sha256:" + hex.dropLast() + "\u{0}",
        ] {
            #expect(ServerInput.sha256Hex(bad) == nil, "\(bad)")
        }
    }

    @Test("the cache refuses a traversing name and writes nothing outside the state directory")
    func cacheRefusesTraversal() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let state = root + "/state"
        let cache = ModuleCache(stateDirectory: state, keep: 1)
        let bytes = AgentFixtures.hello()
        #expect(throws: (any Error).self) { try cache.store(module: "../../escape", digest: digest(bytes), bytes: bytes) }
        #expect(throws: (any Error).self) { try cache.store(module: "ok", digest: "sha256:../../../escape", bytes: bytes) }
        #expect(!FileManager.default.fileExists(atPath: root + "/escape"))
        #expect(cache.load(module: "../../escape", digest: digest(bytes)) == nil)
    }

    @Test("a symbolic link planted as a module's cache directory is refused, not written through or pruned through")
    func cacheRefusesSymlinkedDirectory() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let outside = root + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let victim = outside + "/" + String(repeating: "0", count: 64) + ".wasm"
        FileManager.default.createFile(atPath: victim, contents: Data([1]))
        let cache = ModuleCache(stateDirectory: root + "/state", keep: 1)
        try FileManager.default.createDirectory(atPath: cache.root, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: cache.root + "/evil", withDestinationPath: outside)
        let bytes = AgentFixtures.hello()
        #expect(throws: (any Error).self) { try cache.store(module: "evil", digest: digest(bytes), bytes: bytes) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == [victim.split(separator: "/").last.map(String.init)!])
    }

    @Test("pruning deletes only regular <hex>.wasm files of the module")
    func pruningIsNarrow() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = ModuleCache(stateDirectory: root, keep: 1)
        let first = AgentFixtures.hello(), second = AgentFixtures.spin()
        try cache.store(module: "greeter", digest: digest(first), bytes: first)
        FileManager.default.createFile(atPath: cache.root + "/greeter/notes.txt", contents: Data([1]))
        Thread.sleep(forTimeInterval: 0.01)
        try cache.store(module: "greeter", digest: digest(second), bytes: second)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: cache.root + "/greeter"))
        #expect(left == ["notes.txt", ModuleCache.sha256(second) + ".wasm"])
    }

    @Test("a desired state with hostile names is refused with failed reports; the agent stays up and runs the good module")
    func agentRefusesHostileEntries() async throws {
        let fake = FakeOrchestrator()
        let state = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await fake.serve { base in
            let bytes = AgentFixtures.hello()
            fake.update { $0.blobs = ["/blobs/hello": bytes] }
            fake.setModules([
                TestModule(
                    name: "../../../tmp/escape", version: "1.0.0", digest: digest(bytes), downloadUrl: base + "/blobs/hello", entrypoint: "handle"),
                TestModule(
                    name: "bad-version", version: "1.0.0/../../x", digest: digest(bytes), downloadUrl: base + "/blobs/hello", entrypoint: "handle"),
                TestModule(name: "bad-digest", version: "1.0.0", digest: "sha256:../../x", downloadUrl: base + "/blobs/hello", entrypoint: "handle"),
                TestModule(name: "good", version: "1.0.0", digest: digest(bytes), downloadUrl: base + "/blobs/hello", entrypoint: "handle"),
            ])
            try await withAgent(base: base, stateDirectory: state + "/agent") {
                try await fake.until("the good module runs and the others are refused") { state in
                    state.reports.contains { $0.module == "good" && $0.state == "running" }
                        && state.reports.filter { $0.state == "failed" && ($0.reason ?? "").hasPrefix("refused:") }.count == 3
                }
            }
            // Only the good module reached the disk, and no blob was fetched for a refused entry.
            #expect(try FileManager.default.contentsOfDirectory(atPath: state + "/agent/modules") == ["good"])
            #expect(fake.read(\.blobAuthorization).count == 1)
            #expect(!FileManager.default.fileExists(atPath: state + "/tmp"))
        }
    }
}
