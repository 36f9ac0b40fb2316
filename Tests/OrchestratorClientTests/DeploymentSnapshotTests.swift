import Foundation
import OrchestratorClient
import Testing

@Suite("Deployment status views")
struct DeploymentSnapshotTests {
    static let deployment = try! JSONValue.parse(
        Data(
            """
            {"id":"d1","moduleName":"hello","moduleVersion":"1.2.0","environment":"production","status":"InProgress",
             "progress":{"percent":50,"total":4,"counts":{"Pending":1,"Skipped":0,"Updating":1,"Offline":0,"Succeeded":2,"Failed":0,
              "TimedOut":0,"RolledBack":0}},
             "rollout":{"currentStep":2,"stepCount":3,"gate":"none"},
             "timeline":[{"at":"t1","type":"started","actor":"admin"},{"at":"t2","type":"cohort.dispatched","actor":"rollout-engine",
              "detail":"cohort 2"}]}
            """.utf8))
    static let nodes = [(1, "Succeeded"), (1, "Succeeded"), (2, "Updating"), (3, "Pending")].map { cohort, state in
        JSONValue.object(["cohort": .number(Double(cohort)), "state": .string(state)])
    }

    @Test("the pipe line has status, percent, non-zero counts and the newest event")
    func line() {
        let snapshot = DeploymentSnapshot(deployment: Self.deployment, nodes: Self.nodes)
        #expect(snapshot.line == "InProgress 50% Pending=1 Updating=1 Succeeded=2 | cohort.dispatched: cohort 2")
        #expect(!snapshot.isFinal)
    }

    @Test("the frame has the headline, one row per cohort and the recent events")
    func frame() {
        let frame = DeploymentSnapshot(deployment: Self.deployment, nodes: Self.nodes).frame()
        #expect(frame.hasPrefix("d1  hello@1.2.0 -> production  InProgress  50%  cohort 2/3\n"))
        #expect(frame.contains("1       2      Succeeded=2\n"))
        #expect(frame.contains("2       1      Updating=1\n"))
        #expect(frame.contains("cohort.dispatched"))
    }

    @Test("final statuses end a watch")
    func final() {
        for status in ["Completed", "Failed", "RolledBack", "Cancelled", "Rejected"] {
            #expect(DeploymentSnapshot(deployment: .object(["status": .string(status)]), nodes: []).isFinal)
        }
        #expect(!DeploymentSnapshot(deployment: .object(["status": .string("Paused")]), nodes: []).isFinal)
    }
}
