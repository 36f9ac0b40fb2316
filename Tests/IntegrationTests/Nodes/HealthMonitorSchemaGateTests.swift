import EdgeFleet
import Foundation
import InProcessCache
import Logging
import OrchestratorApp
import OrchestratorDomain
import OrchestratorPorts
import SQLiteMetadataStore
import Testing

/// Until the schema is migrated (`database.migrateOnStart=false` waits for `wasm-orchestrator migrate`), a health pass
/// could only fail on missing tables: the monitor waits for the schema gate instead of logging that every interval.
@Suite("Health monitor and the schema gate")
struct HealthMonitorSchemaGateTests {
    @Test("no pass (and no failure logged) before the schema is ready; passes run once it is")
    func waitsForTheSchema() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("gate") + ".sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try await SQLiteMetadataStore.open(path: path, logger: Logger(label: "test.gate"))  // not migrated
        let log = RecordedLog()
        let logger = Logger(label: "test.health", factory: { _ in log })
        var settings = FleetSettings()
        settings.healthEvaluationSeconds = 0.05
        let ready = LockedList<Bool>()
        let monitor = HealthMonitor(
            store: store, heartbeats: HeartbeatIngest(store: store, cache: InProcessCache(), settings: settings, logger: logger),
            settings: settings, metrics: ServerMetrics().factory, now: { 0 }, logger: logger, isReady: { !ready.values.isEmpty })
        let failure = "health evaluation failed; will retry"
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await monitor.run() }
            defer { group.cancelAll() }
            try await Task.sleep(for: .milliseconds(500))  // about ten intervals
            #expect(!log.messages.contains(failure), "\(log.messages)")
            ready.append(true)
            // Now the passes run, and on this unmigrated store they fail: proof that the gate, not luck, held them.
            for _ in 0..<300 where !log.messages.contains(failure) { try await Task.sleep(for: .milliseconds(100)) }
            #expect(log.messages.contains(failure))
        }
        try await store.close()
    }
}
