import Foundation

/// One look at a deployment and its target nodes, as `deploy status` shows it.
public struct DeploymentSnapshot: Sendable, Equatable {
    /// The node states in the order the views list them.
    public static let states = ["Pending", "Updating", "Succeeded", "Failed", "TimedOut", "Skipped", "Offline", "RolledBack"]
    /// Statuses a deployment never leaves (`Completed` and `Failed` may still be rolled back, but a watch ends there).
    public static let finalStatuses: Set<String> = ["Completed", "Failed", "RolledBack", "Cancelled", "Rejected"]

    public let deployment: JSONValue
    public let nodes: [JSONValue]

    public init(deployment: JSONValue, nodes: [JSONValue]) {
        self.deployment = deployment
        self.nodes = nodes
    }

    public var status: String { deployment["status"]?.stringValue.map(TerminalText.printable) ?? "?" }
    public var isFinal: Bool { Self.finalStatuses.contains(status) }

    /// Target nodes per state, from the deployment's `progress.counts`.
    public var counts: [(String, Int)] {
        Self.states.map { ($0, deployment.value(at: "progress.counts.\($0)")?.intValue ?? 0) }
    }

    /// Per cohort (in order): its node count and the non-zero states, e.g. `Succeeded=3 Updating=1`.
    public var cohorts: [(cohort: Int, nodes: Int, states: String)] {
        let grouped = Dictionary(grouping: nodes) { $0["cohort"]?.intValue ?? 0 }
        return grouped.keys.sorted().map { cohort in
            let members = grouped[cohort]!
            let states = Self.states.compactMap { state -> String? in
                let count = members.filter { $0["state"]?.stringValue == state }.count
                return count > 0 ? "\(state)=\(count)" : nil
            }
            return (cohort, members.count, states.joined(separator: " "))
        }
    }

    /// The header line: id, module, environment, status, percent and the rollout position.
    public var headline: String {
        let module = "\(deployment["moduleName"]?.cellText ?? "?")@\(deployment["moduleVersion"]?.cellText ?? "?")"
        let percent = deployment.value(at: "progress.percent")?.intValue ?? 0
        var text = "\(deployment["id"]?.cellText ?? "?")  \(module) -> \(deployment["environment"]?.cellText ?? "?")  \(status)  \(percent)%"
        if let step = deployment.value(at: "rollout.currentStep")?.intValue, let count = deployment.value(at: "rollout.stepCount")?.intValue {
            text += "  cohort \(step)/\(count)"
        }
        if let gate = deployment.value(at: "rollout.gate")?.cellText, gate != "none" { text += "  gate \(gate)" }
        return text
    }

    /// The full view: headline, reason, cohort table, state counts and the `events` newest timeline entries.
    public func frame(events: Int = 6) -> String {
        var text = headline + "\n"
        if let reason = deployment["reason"]?.stringValue { text += "reason: \(TerminalText.printable(reason))\n" }
        if let approvals = deployment["approvals"], let required = approvals["required"]?.intValue, required > 0 {
            text += "approvals: \(approvals["valid"]?.intValue ?? 0) of \(required)\n"
        }
        text +=
            "\n" + TextTable(headers: ["COHORT", "NODES", "STATES"], rows: cohorts.map { ["\($0.cohort)", "\($0.nodes)", $0.states] }).rendered()
        text += "\n" + counts.filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: "  ") + "\n"
        let timeline = (deployment["timeline"]?.arrayValue ?? []).suffix(events)
        if !timeline.isEmpty {
            text += "\nrecent events:\n"
            text += TextTable(
                headers: ["AT", "EVENT", "ACTOR", "DETAIL"],
                rows: timeline.map { event in
                    ["at", "type", "actor", "detail"].map { event[$0]?.cellText ?? "" }
                }
            ).rendered()
        }
        return text
    }

    /// One line for a pipe: status, percent, non-zero counts and the newest timeline entry.
    public var line: String {
        let percent = deployment.value(at: "progress.percent")?.intValue ?? 0
        var text = "\(status) \(percent)%"
        let nonZero = counts.filter { $0.1 > 0 }.map { "\($0.0)=\($0.1)" }
        if !nonZero.isEmpty { text += " " + nonZero.joined(separator: " ") }
        if let last = deployment["timeline"]?.arrayValue?.last {
            text += " | \(last["type"]?.cellText ?? "")"
            if let detail = last["detail"]?.stringValue { text += ": \(TerminalText.printable(detail))" }
        }
        return text
    }
}
