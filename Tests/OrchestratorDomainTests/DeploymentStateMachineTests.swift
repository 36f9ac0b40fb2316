import OrchestratorDomain
import Testing

@Suite("Deployment state machine")
struct DeploymentStateMachineTests {
    typealias S = DeploymentState
    typealias C = DeploymentCommand

    /// The whole legal table, written out independently of the implementation:
    /// (state, command, approvalsComplete, atGate) → next state. Everything else is refused.
    static func expected(_ state: S, _ command: C, complete: Bool, atGate: Bool) -> S? {
        switch (state, command) {
        case (.pendingApproval, .approve): return complete ? .approved : .pendingApproval
        case (.pendingApproval, .reject), (.approved, .reject): return .rejected
        case (.pendingApproval, .cancel), (.approved, .cancel), (.inProgress, .cancel), (.paused, .cancel): return .cancelled
        case (.approved, .start): return complete ? .inProgress : nil
        case (.inProgress, .pause): return .paused
        case (.paused, .resume): return .inProgress
        case (.inProgress, .promote): return atGate ? .inProgress : nil
        case (.inProgress, .rollback), (.paused, .rollback), (.completed, .rollback), (.failed, .rollback): return .rolledBack
        case (.inProgress, .retry): return .inProgress
        case (.paused, .retry): return .paused
        case (.completed, .retry): return .completed
        default: return nil
        }
    }

    @Test("every state × command × context matches the table; refusals name the current state")
    func exhaustive() {
        var checked = 0
        for state in S.allCases {
            for command in C.allCases {
                for complete in [false, true] {
                    for atGate in [false, true] {
                        let result = DeploymentStateMachine.next(from: state, on: command, .init(approvalsComplete: complete, atGate: atGate))
                        switch (result, Self.expected(state, command, complete: complete, atGate: atGate)) {
                        case (.success(let next), let wanted?):
                            #expect(next == wanted, "\(state) --\(command)--> \(next), wanted \(wanted)")
                        case (.failure(let refusal), nil):
                            #expect(refusal.state == state && refusal.command == command && !refusal.reason.isEmpty)
                        case (let got, let wanted):
                            Issue.record(
                                "\(state) --\(command)(complete: \(complete), gate: \(atGate))--> \(got), wanted \(String(describing: wanted))")
                        }
                        checked += 1
                    }
                }
            }
        }
        #expect(checked == S.allCases.count * C.allCases.count * 4)
    }

    @Test("terminal states accept nothing; rolled back, cancelled and rejected are final")
    func terminal() {
        for state in S.allCases where state.isTerminal {
            for command in C.allCases {
                if case .success = DeploymentStateMachine.next(from: state, on: command, .init(approvalsComplete: true, atGate: true)) {
                    Issue.record("\(state) accepted \(command)")
                }
            }
        }
        #expect(S.allCases.filter(\.isTerminal) == [.rolledBack, .cancelled, .rejected])
        #expect(S.allCases.filter(\.isActive) == [.inProgress, .paused])
    }

    @Test("wire names are seed 004's")
    func names() {
        #expect(
            S.allCases.map(\.rawValue) == [
                "PendingApproval", "Approved", "InProgress", "Paused", "Completed", "Failed", "RolledBack", "Cancelled", "Rejected",
            ])
    }
}
