import Logging
import NIOConcurrencyHelpers
import OrchestratorDomain
import OrchestratorPorts
import ServiceLifecycle

/// Buffers agents' status reports per replica and writes them in batches.
///
/// Right after a fleet-wide change every agent reports within moments; one
/// transaction per report would queue thousands of writers on the pool. The
/// buffer keeps the newest report per (node, module) and a flush writes them
/// all in one statement every ``flushInterval``. Reads on this replica see
/// buffered reports at once (``pending(of:)``); the rollout engine sees them
/// within one interval.
///
/// One bad row must never fail the batch for ever: reports are validated before
/// they are buffered, and a batch the store refuses is written again row by row,
/// so only the row it still refuses is dropped (and logged, with its node and
/// module). Only when the store is unavailable are the reports kept for the next flush.
public final class StatusIngest: Service, Sendable {
    public static let flushInterval: Duration = .milliseconds(200)

    struct Key: Hashable {
        let node: NodeID
        let module: String
    }

    private let store: any NodeStore
    private let logger: Logger
    private let buffer = NIOLockedValueBox<[Key: RecordedStatus]>([:])
    /// The batch a flush is writing: still visible to ``pending(of:)`` until the store has it,
    /// so a read between taking the batch and the write landing never misses a report.
    private let inFlight = NIOLockedValueBox<[Key: RecordedStatus]>([:])

    public init(store: any NodeStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func record(_ reports: [ModuleStatusReport], from node: NodeID, at time: Double) {
        buffer.withLockedValue { buffer in
            for report in reports {
                buffer[Key(node: node, module: report.module)] = RecordedStatus(
                    node: node, status: RecordedModuleStatus(report: report, reportedAt: time))
            }
        }
    }

    /// This replica's reports of `node` not yet written.
    public func pending(of node: NodeID) -> [RecordedModuleStatus] {
        let writing = inFlight.withLockedValue { $0.filter { $0.key.node == node } }
        let buffered = buffer.withLockedValue { $0.filter { $0.key.node == node } }
        return writing.merging(buffered) { _, newer in newer }.values.map(\.status)
    }

    /// Drops a deregistered node's buffered reports.
    public func forget(_ node: NodeID) {
        buffer.withLockedValue { buffer in buffer = buffer.filter { $0.key.node != node } }
        inFlight.withLockedValue { batch in batch = batch.filter { $0.key.node != node } }
    }

    /// Writes everything buffered now. Returns how many reports were written.
    @discardableResult
    public func flush() async throws -> Int {
        let batch = buffer.withLockedValue { buffer -> [Key: RecordedStatus] in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        guard !batch.isEmpty else { return 0 }
        inFlight.withLockedValue { $0 = batch }
        defer { inFlight.withLockedValue { $0.removeAll(keepingCapacity: true) } }
        do {
            try await store.recordStatuses(Array(batch.values))
            return batch.count
        } catch let error as DependencyUnavailableError {
            keep(batch)
            throw error
        } catch {
            return try await flushRowByRow(batch, batchError: error)
        }
    }

    /// The store refused the batch: write each report alone, drop (and log) those it still refuses.
    private func flushRowByRow(_ batch: [Key: RecordedStatus], batchError: any Error) async throws -> Int {
        logger.warning(
            "a batch of status reports was refused; writing them one by one", metadata: ["error": "\(batchError)", "reports": "\(batch.count)"])
        var written = 0
        var settled = Set<Key>()
        for (key, status) in batch {
            do {
                try await store.recordStatuses([status])
                written += 1
            } catch let error as DependencyUnavailableError {
                keep(batch.filter { !settled.contains($0.key) })
                throw error
            } catch {
                logger.error(
                    "a status report was refused by the store and dropped",
                    metadata: ["node": "\(key.node)", "module": "\(key.module)", "error": "\(error)"])
            }
            settled.insert(key)
        }
        return written
    }

    /// Puts reports back for the next flush, unless a newer report for the same key arrived meanwhile.
    private func keep(_ batch: [Key: RecordedStatus]) {
        buffer.withLockedValue { buffer in
            for (key, status) in batch where buffer[key] == nil { buffer[key] = status }
        }
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.flushInterval) }
            do {
                try await flush()
            } catch {
                logger.warning("status reports could not be written; will retry", metadata: ["error": "\(error)"])
            }
        }
        _ = try? await flush()
    }
}
