import EdgeFleet
import Foundation
import Logging
import NIOConcurrencyHelpers
import OrchestratorDomain
import OrchestratorPorts
import Testing

/// Issue 11, item 3 ("Batches"), on every real store: the database itself
/// refuses one row of a batched status write (a trigger raises for one node),
/// which is how a poisoned row failed every node's reports for ever before.
@Suite("Status batches the database refuses")
struct StatusBatchFallbackTests {
    /// A trigger that refuses every status row of node `poison`, whatever the statement.
    static func refusePoison(on backend: FleetBackend) -> [String] {
        switch backend.metadata {
        case .sqlite:
            return [
                """
                CREATE TRIGGER refuse_poison BEFORE INSERT ON node_module_status WHEN NEW.node_id = 'poison'
                BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END
                """
            ]
        case .postgres:
            return [
                """
                CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.node_id = 'poison' THEN RAISE EXCEPTION 'refused by the test trigger'; END IF;
                    RETURN NEW;
                END $$
                """,
                "CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON node_module_status FOR EACH ROW EXECUTE FUNCTION refuse_poison()",
            ]
        }
    }

    @Test(
        "one row the database refuses is dropped and logged; the batch's other rows are written; nothing is retried for ever",
        arguments: FleetBackend.available)
    func oneRefusedRow(backend: FleetBackend) async throws {
        try await backend.withFleet { fleet async throws in
            let service = try await fleet.replica()
            for name in ["good-1", "good-2", "poison"] { _ = try await fleet.enroll(service, name) }
            try await NodeEnvironmentTests.execute(on: fleet.store, Self.refusePoison(on: backend))

            let log = RecordedLog()
            let ingest = StatusIngest(store: fleet.store, logger: Logger(label: "test.ingest", factory: { _ in log }))
            let report = ModuleStatusReport(
                deploymentID: "d-1", module: "hello", version: "1.0.0", digest: ContentDigest(bytes: [UInt8](repeating: 1, count: 32)),
                state: .running, reason: nil)
            for name in ["good-1", "poison", "good-2"] { ingest.record([report], from: nodeID(name), at: 1) }

            #expect(try await ingest.flush() == 2, "the two good rows are written")
            #expect(try await fleet.store.moduleStatuses(of: nodeID("good-1")).map(\.report) == [report])
            #expect(try await fleet.store.moduleStatuses(of: nodeID("good-2")).map(\.report) == [report])
            #expect(try await fleet.store.moduleStatuses(of: nodeID("poison")).isEmpty)
            #expect(log.messages.contains("a batch of status reports was refused; writing them one by one"), "the batch was refused first")
            let dropped = log.entries.filter { $0.message == "a status report was refused by the store and dropped" }
            #expect(dropped.map { $0.metadata["node"] } == ["poison"], "the log names the dropped row's node")

            // Nothing was kept: the refused row is not retried, and later reports still flow.
            #expect(try await ingest.flush() == 0)
            var newer = report
            newer.state = .failed
            newer.reason = "trap"
            ingest.record([newer], from: nodeID("good-1"), at: 2)
            #expect(try await ingest.flush() == 1)
            #expect(try await fleet.store.moduleStatuses(of: nodeID("good-1")).map(\.report) == [newer])
        }
    }
}

/// Keeps every log entry, to assert what an operator would read.
final class RecordedLog: LogHandler, @unchecked Sendable {
    struct Entry: Sendable {
        let message: String
        let metadata: [String: String]
    }

    private let box = NIOLockedValueBox<[Entry]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var entries: [Entry] { box.withLockedValue { $0 } }
    var messages: [String] { entries.map(\.message) }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).mapValues { "\($0)" }
        box.withLockedValue { $0.append(Entry(message: "\(event.message)", metadata: fields)) }
    }
}
