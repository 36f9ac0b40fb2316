import OrchestratorDomain
import Testing

@Suite("Module naming, versions and binary headers")
struct ModuleRulesTests {
    @Test(
        "valid semantic versions parse and print back",
        arguments: [
            "0.0.0", "1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x.7.z.92", "1.0.0+20130313144700",
            "1.0.0-beta+exp.sha.5114f85", "1.0.0-x-y-z.--",
        ])
    func validVersions(text: String) throws {
        #expect(try #require(SemanticVersion(text)).description == text)
    }

    @Test(
        "invalid semantic versions are refused",
        arguments: [
            "", "1", "1.2", "1.2.3.4", "v1.2.3", "01.2.3", "1.02.3", "1.2.3-01", "1.2.3-", "1.2.3+", "1.2.3-a..b", "1.2.3-é", " 1.2.3", "1.2.3 ",
            "-1.2.3", "9999999999.0.0",
        ])
    func invalidVersions(text: String) {
        #expect(SemanticVersion(text) == nil)
    }

    @Test("precedence follows semver §11")
    func precedence() throws {
        let ordered = [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1",
            "1.1.0", "2.0.0",
        ]
        let versions = try ordered.map { try #require(SemanticVersion($0)) }
        #expect(versions.shuffled().sorted() == versions)
        #expect(SemanticVersion("1.0.0+a") == SemanticVersion("1.0.0+b"))
    }

    @Test(
        "module names are DNS labels",
        arguments: [
            ("hello", true), ("hello-world-2", true), ("a", true), (String(repeating: "a", count: 63), true), ("", false), ("-a", false),
            ("a-", false), ("Hello", false), ("a_b", false), ("a.b", false), (String(repeating: "a", count: 64), false), ("ü", false),
        ])
    func names(text: String, valid: Bool) {
        #expect((ModuleName(text) != nil) == valid)
    }

    @Test("headers tell core modules from components and refuse everything else")
    func headers() throws {
        #expect(try WasmBinaryHeader.classify([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0xFF]) == .module)
        #expect(try WasmBinaryHeader.classify([0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00]) == .component)
        #expect(throws: WasmBinaryHeader.Rejection.tooShort) { try WasmBinaryHeader.classify([0x00, 0x61, 0x73]) }
        #expect(throws: WasmBinaryHeader.Rejection.badMagic) { try WasmBinaryHeader.classify(Array("PK\u{3}\u{4}abcd".utf8)) }
        #expect(throws: WasmBinaryHeader.Rejection.unknownVersion(version: 2, layer: 0)) {
            try WasmBinaryHeader.classify([0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00])
        }
    }

    @Test("re-uploading a version is idempotent for identical content and a conflict otherwise")
    func uploadPolicy() {
        let a = ContentDigest(bytes: [UInt8](repeating: 1, count: 32))
        let b = ContentDigest(bytes: [UInt8](repeating: 2, count: 32))
        #expect(VersionUploadPolicy.decide(existing: nil, uploaded: a) == .create)
        #expect(VersionUploadPolicy.decide(existing: a, uploaded: a) == .identical)
        #expect(VersionUploadPolicy.decide(existing: a, uploaded: b) == .conflict(existing: a, uploaded: b))
    }
}
