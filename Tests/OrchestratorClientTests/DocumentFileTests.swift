import Foundation
import OrchestratorClient
import Testing

@Suite("Deployment spec files")
struct DocumentFileTests {
    @Test("YAML keeps YAML's types: numbers, booleans, quoted strings, versions as strings")
    func yamlTypes() throws {
        let spec = try DocumentFile.parse(
            """
            moduleName: hello
            moduleVersion: 1.2.0
            autoRollback: false
            nodeTimeoutSeconds: 30
            failureThreshold: "2"
            target:
              labels: {tier: "1"}
            strategy: {type: canary, steps: [10, 50]}
            """, name: "spec.yaml")
        #expect(spec["moduleVersion"] == .string("1.2.0"))
        #expect(spec["autoRollback"] == .bool(false))
        #expect(spec["nodeTimeoutSeconds"] == .number(30))
        #expect(spec["failureThreshold"] == .string("2"))
        #expect(spec.value(at: "target.labels.tier") == .string("1"))
        #expect(spec.value(at: "strategy.steps") == .array([.number(10), .number(50)]))
    }

    @Test("JSON is read as JSON, and the same document in YAML gives the same body")
    func jsonAndYamlAgree() throws {
        let json = try DocumentFile.parse(#"{"moduleName":"hello","target":{"nodeIds":["a","b"]},"priority":-3}"#, name: "spec.json")
        let yaml = try DocumentFile.parse("moduleName: hello\ntarget:\n  nodeIds: [a, b]\npriority: -3\n", name: "spec.yaml")
        #expect(json == yaml)
        #expect(json.encoded() == Data(#"{"moduleName":"hello","priority":-3,"target":{"nodeIds":["a","b"]}}"#.utf8))
    }

    @Test("an unreadable file is a usage error (exit 64)")
    func unreadable() {
        #expect(throws: ClientError.self) { try DocumentFile.parse("key: [unclosed", name: "bad.yaml") }
        #expect(ClientError.usage("x").exitCode == 64)
    }
}
