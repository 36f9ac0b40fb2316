import Foundation
import OrchestratorClient
import Testing

@Suite("Credentials file")
struct CredentialStoreTests {
    func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "credentials-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("the file is under XDG_CONFIG_HOME, else ~/.config, and is written 0600 even over a wider file")
    func location() throws {
        let home = try scratch()
        defer { try? FileManager.default.removeItem(atPath: home) }
        #expect(CredentialStore(environment: ["HOME": home]).path == home + "/.config/wasm-orchestrator/credentials.json")
        let store = CredentialStore(environment: ["HOME": home, "XDG_CONFIG_HOME": home + "/xdg"])
        #expect(store.path == home + "/xdg/wasm-orchestrator/credentials.json")
        try FileManager.default.createDirectory(atPath: home + "/xdg/wasm-orchestrator", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: store.path, contents: Data(), attributes: [.posixPermissions: 0o644]))
        try store.save(Credentials(address: "https://a", token: "t"))
        let mode = try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(try store.stored() == Credentials(address: "https://a", token: "t"))
    }

    @Test("flag, then environment, then file; no token anywhere is 'not logged in'")
    func precedence() throws {
        let home = try scratch()
        defer { try? FileManager.default.removeItem(atPath: home) }
        try CredentialStore(environment: ["HOME": home]).save(Credentials(address: "https://file", token: "file-token"))
        let fromFile = try CredentialStore(environment: ["HOME": home]).resolve()
        #expect(fromFile == Credentials(address: "https://file", token: "file-token"))
        let overridden = CredentialStore(environment: ["HOME": home, "WASM_ORCHESTRATOR_ADDR": "https://env", "WASM_ORCHESTRATOR_TOKEN": "env"])
        #expect(try overridden.resolve() == Credentials(address: "https://env", token: "env"))
        #expect(try overridden.resolve(addressFlag: "https://flag").address == "https://flag")
        let empty = CredentialStore(environment: ["HOME": home, "WASM_ORCHESTRATOR_ADDR": "", "WASM_ORCHESTRATOR_TOKEN": ""])
        #expect(try empty.resolve() == fromFile, "set but empty counts as unset")
        #expect(throws: ClientError.self) { try CredentialStore(environment: ["HOME": home + "/elsewhere"]).resolve() }
    }
}
