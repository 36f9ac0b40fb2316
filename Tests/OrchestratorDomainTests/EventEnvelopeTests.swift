import Foundation
import OrchestratorDomain
import Testing

@Suite("Event envelope (CloudEvents 1.0)")
struct EventEnvelopeTests {
    static func record(state: DeploymentState = .completed) -> DeploymentRecord {
        let spec = DeploymentSpec(
            moduleName: "hello", moduleVersion: "1.2.0", target: DeploymentTarget(regions: ["eu"]), environment: "production",
            function: FunctionConfig(entrypoint: "_start"), strategy: .allAtOnce,
            failurePolicy: FailurePolicy(threshold: .count(0), nodeTimeoutSeconds: 60, progressDeadlineSeconds: 600, autoRollback: true))
        let digest = ContentDigest(parsing: "sha256:" + String(repeating: "a", count: 64))!
        return DeploymentRecord(
            id: "6f1c0000-0000-4000-8000-000000000001", spec: spec, versionKey: "1.2.0", digest: digest, state: state, createdBy: "dev",
            createdAt: 0, stepCount: 1)
    }

    @Test("a deployment event is the contract's JSON, members in order, on one line")
    func deploymentEnvelope() {
        let event = OrchestratorEvent(
            type: .deployment(.completed), time: 0, data: .deployment(DeploymentEventData(record: Self.record(), previousStatus: .inProgress)))
        let envelope = CloudEvent(id: "e1", time: "2026-12-01T21:00:00Z", event: event)
        let id = "6f1c0000-0000-4000-8000-000000000001"
        #expect(
            envelope.json
                == #"{"specversion":"1.0","id":"e1","source":"/api/v1/wasm/deployments/\#(id)","type":"io.wasmorchestrator.deployment.completed","#
                + #""subject":"\#(id)","time":"2026-12-01T21:00:00Z","datacontenttype":"application/json","data":{"deploymentId":"\#(id)","#
                + #""module":"hello","version":"1.2.0","environment":"production","status":"Completed","previousStatus":"InProgress"}}"#)
        #expect(!envelope.json.contains("\n"))
    }

    @Test("a node event names the node; text that needs escaping stays valid JSON")
    func nodeEnvelopeEscapes() throws {
        let event = NodeEventRules.enrolled(node: "edge-\"1\"\n\u{1}", environment: "dev\\x", health: .offline, at: 0)
        let json = CloudEvent(id: "e2", time: "2026-12-01T21:00:00Z", event: event).json
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["type"] as? String == "io.wasmorchestrator.node.enrolled")
        #expect(object["source"] as? String == "/api/v1/wasm/nodes/edge-\"1\"\n\u{1}")
        let data = try #require(object["data"] as? [String: Any])
        #expect(data["nodeId"] as? String == "edge-\"1\"\n\u{1}")
        #expect(data["environment"] as? String == "dev\\x")
        #expect(data["health"] as? String == "Offline")
        #expect(data["previousHealth"] == nil)
    }

    @Test("every type parses from its short and its full name; nothing else parses")
    func typeNames() {
        for type in EventType.all {
            #expect(EventType(type.shortName) == type)
            #expect(EventType(type.name) == type)
        }
        #expect(EventType.all.count == 17)
        #expect(EventType("deployment") == nil)
        #expect(EventType("io.wasmorchestrator.deployment.exploded") == nil)
        #expect(EventType.deployment(.approvalRequested).name == "io.wasmorchestrator.deployment.approval-requested")
    }
}
