import EdgeFleet
import OrchestratorDomain
import OrchestratorPorts

/// Reads what ``DeploymentDecider`` needs for one deployment, with batched
/// queries only: a handful per evaluation, whatever the fleet size.
struct SnapshotLoader: Sendable {
    let store: any MetadataStore
    let fleet: NodeService

    enum Purpose {
        /// Engine pass: reports, plus fleet data only when a cohort may be dispatched.
        case advance
        /// Engine pass that dispatches: reports and fleet data.
        case advanceWithFleet
        /// The first cohort is dispatched.
        case start
        /// Every dispatched node's current entry is needed.
        case rollback
        /// Nothing beyond the rows.
        case plain
    }

    func load(_ record: DeploymentRecord, for purpose: Purpose, now: Double) async throws -> RolloutSnapshot {
        let nodes = try await store.deploymentNodes(of: record.id)
        var snapshot = RolloutSnapshot(record: record, nodes: nodes, now: now)
        switch purpose {
        case .plain:
            return snapshot
        case .rollback:
            let touched = nodes.filter { $0.state.wasDispatched }.map(\.nodeID)
            snapshot.current = try await store.desiredEntries(module: record.spec.moduleName, nodes: touched)
            snapshot.movedToOtherEnvironment = try await movedNodes(touched, from: record.spec.environment)
            return snapshot
        case .advance, .advanceWithFleet:
            snapshot.reports = try await store.statusReports(forDeployment: record.id)
            // A rollback may follow from this pass (threshold, deadline): it must not clobber newer deployments.
            let touched = nodes.filter { $0.state.wasDispatched }.map(\.nodeID)
            let waiting = nodes.contains { $0.state == .updating || $0.state == .offline }
            if record.spec.failurePolicy.autoRollback && (waiting || nodes.contains(where: \.state.isFailure)) {
                snapshot.current = try await store.desiredEntries(module: record.spec.moduleName, nodes: touched)
            }
            // Nodes moved out of the environment leave the rollout (and a rollback leaves them alone).
            if waiting || record.spec.failurePolicy.autoRollback {
                snapshot.movedToOtherEnvironment = try await movedNodes(touched, from: record.spec.environment)
            }
            guard purpose == .advanceWithFleet || Self.mayDispatch(record, nodes, now: now) else { return snapshot }
        case .start:
            break
        }
        try await addFleetData(to: &snapshot, pending: nodes.filter { $0.state == .pending }.map(\.nodeID))
        return snapshot
    }

    /// Cheap test on the stored rows: is a cohort about to be dispatched? (Reports
    /// consumed in the same pass can settle a cohort too; the engine then reloads
    /// with ``Purpose/advanceWithFleet``, see ``dispatches(_:from:)``.)
    static func mayDispatch(_ record: DeploymentRecord, _ nodes: [DeploymentNode], now: Double) -> Bool {
        guard record.state == .inProgress, nodes.contains(where: { $0.state == .pending }) else { return false }
        switch record.gate {
        case .manual: return false
        case .until(let opens): if now < opens { return false }
        case .none: break
        }
        return nodes.allSatisfy { $0.step > record.currentStep || $0.state.isSettled }
    }

    /// `true` when `change` moves nodes out of `Pending`: it was computed for a dispatch.
    static func dispatches(_ change: DeploymentDecision, from snapshot: RolloutSnapshot) -> Bool {
        let pending = Set(snapshot.nodes.filter { $0.state == .pending }.map(\.nodeID))
        return change.nodes.values.contains { pending.contains($0.nodeID) && $0.state != .pending && snapshot.record.state == .inProgress }
    }

    /// Those of `ids` that now belong to another environment than `environment`, with the one they belong to.
    private func movedNodes(_ ids: [NodeID], from environment: String) async throws -> [NodeID: String] {
        guard !ids.isEmpty else { return [:] }
        let wanted = Set(ids)
        var moved: [NodeID: String] = [:]
        for node in try await store.allNodes() where wanted.contains(node.id) && node.environment != environment {
            moved[node.id] = node.environment
        }
        return moved
    }

    private func addFleetData(to snapshot: inout RolloutSnapshot, pending: [NodeID]) async throws {
        guard !pending.isEmpty else { return }
        let wanted = Set(pending)
        var fleetNodes: [NodeID: NodeRecord] = [:]
        for node in try await store.allNodes() where wanted.contains(node.id) { fleetNodes[node.id] = node }
        snapshot.fleet = fleetNodes
        // Recorded health lags by up to one monitor interval; confirm "Offline" live so
        // a node that just enrolled and heartbeated is not skipped.
        for node in fleetNodes.values where node.recordedHealth == .offline {
            if await fleet.health.currentHealth(of: node).0 == .offline { snapshot.offline.insert(node.id) }
        }
        let module = snapshot.record.spec.moduleName
        let current = try await store.desiredEntries(module: module, nodes: pending)
        snapshot.current.merge(current) { _, new in new }
        snapshot.inheritedBaselines = try await inheritedBaselines(current, excluding: snapshot.record.id)
    }

    /// A node whose current entry came from a deployment that did not complete
    /// returns, on rollback, to what that deployment would have returned it to.
    private func inheritedBaselines(_ current: [NodeID: DesiredModule], excluding id: String) async throws -> [NodeID: Baseline] {
        var byDeployment: [String: [NodeID]] = [:]
        for (node, module) in current {
            if let owner = module.deploymentID, owner != id { byDeployment[owner, default: []].append(node) }
        }
        var result: [NodeID: Baseline] = [:]
        for (owner, nodes) in byDeployment {
            guard let record = try await store.deployment(id: owner), record.state != .completed else { continue }
            for (node, row) in try await store.deploymentNodes(of: owner, nodes: nodes) where row.hasBaseline {
                result[node] = Baseline(module: row.baseline)
            }
        }
        return result
    }
}
