import OrchestratorDomain
import Testing

@Suite("Module version lifecycle and interface rules")
struct ModuleLifecycleTests {
    typealias Change = VersionStatusPolicy.Change

    /// Every (change, current status) pair and its expected decision.
    static let table: [(Change, VersionStatus, VersionStatusPolicy.Decision)] = [
        (.deprecate, .active, .apply(.deprecated)),
        (.deprecate, .deprecated, .unchanged),
        (.deprecate, .yanked, .illegal(from: .yanked)),
        (.yank, .active, .apply(.yanked)),
        (.yank, .deprecated, .apply(.yanked)),
        (.yank, .yanked, .unchanged),
        (.restore, .active, .unchanged),
        (.restore, .deprecated, .apply(.active)),
        (.restore, .yanked, .apply(.active)),
    ]

    @Test("status changes: the full table")
    func statusTable() {
        #expect(Self.table.count == Change.allCases.count * VersionStatus.allCases.count)
        for (change, current, expected) in Self.table {
            #expect(VersionStatusPolicy.decide(change, current: current) == expected, "\(change) from \(current)")
        }
    }

    @Test("restoring a yanked version needs an admin; everything else a deployer")
    func requiredActions() {
        for change in Change.allCases {
            for status in VersionStatus.allCases {
                let expected: Action = change == .restore && status == .yanked ? .administer : .deploy
                #expect(change.requiredAction(from: status) == expected)
            }
        }
    }

    @Test("only yanked versions are refused by new deployments")
    func yankedRefusesNewDeployments() {
        #expect(VersionStatus.active.acceptsNewDeployments)
        #expect(VersionStatus.deprecated.acceptsNewDeployments)
        #expect(!VersionStatus.yanked.acceptsNewDeployments)
    }

    @Test("version identity ignores build metadata")
    func identityKey() throws {
        #expect(try #require(SemanticVersion("1.2.3+build.7")).identityKey == "1.2.3")
        #expect(try #require(SemanticVersion("1.2.3-rc.1+b")).identityKey == "1.2.3-rc.1")
        #expect(try #require(SemanticVersion("0.0.1")).identityKey == "0.0.1")
    }

    @Test("missing exports are named once each, in the order asked")
    func missingExports() {
        let interface = ModuleInterface(
            kind: .module, exports: [WasmExternal(name: "_start", kind: .function), WasmExternal(name: "memory", kind: .memory)],
            imports: [], memories: [])
        #expect(interface.missingExports(["_start", "memory"]).isEmpty)
        #expect(interface.missingExports(["handle", "_start", "init", "handle"]) == ["handle", "init"])
    }

    @Test(
        "WASI namespaces: preview 1, its old name, and preview 2 interfaces",
        arguments: [
            ("wasi_snapshot_preview1", true), ("wasi_unstable", true), ("wasi:cli/environment@0.2.0", true),
            ("env", false), ("wasi", false), ("my_wasi_snapshot_preview1", false),
        ])
    func wasiNamespaces(namespace: String, isWasi: Bool) {
        #expect(WasiDetection.isWasiNamespace(namespace) == isWasi)
        let interface = ModuleInterface(
            kind: .module, exports: [], imports: [WasmExternal(module: namespace, name: "f", kind: .function)], memories: [])
        #expect(interface.requiresWasi == isWasi)
        #expect(interface.wasiImports == (isWasi ? ["\(namespace).f"] : []))
    }
}
