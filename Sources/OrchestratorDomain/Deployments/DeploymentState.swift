/// The life of a deployment. Raw values are the wire and database names (seed 004 style).
public enum DeploymentState: String, Sendable, Hashable, Codable, CaseIterable {
    case pendingApproval = "PendingApproval"
    case approved = "Approved"
    case inProgress = "InProgress"
    case paused = "Paused"
    case completed = "Completed"
    case failed = "Failed"
    case rolledBack = "RolledBack"
    case cancelled = "Cancelled"
    case rejected = "Rejected"

    /// The rollout engine works on these.
    public var isActive: Bool { self == .inProgress || self == .paused }

    /// No transition leaves these.
    public var isTerminal: Bool { [.rolledBack, .cancelled, .rejected].contains(self) }
}

/// The commands a person sends to a deployment (the engine's tick is ``DeploymentDecider/Event/tick``).
public enum DeploymentCommand: String, Sendable, Hashable, CaseIterable {
    /// An approval was added; `approvalsComplete` says whether it was the last one needed.
    case approve
    case reject
    /// Start the rollout (`execute`); needs complete approvals.
    case start
    case pause
    case resume
    /// Go past a manual gate (or cut a timed pause short).
    case promote
    case cancel
    case rollback
    /// Re-dispatch failed nodes; the state does not change.
    case retry
}

/// Why a command was refused by the state machine.
public struct IllegalTransition: Error, Sendable, Hashable {
    public let state: DeploymentState
    public let command: DeploymentCommand
    public let reason: String

    public init(state: DeploymentState, command: DeploymentCommand, reason: String) {
        self.state = state
        self.command = command
        self.reason = reason
    }
}

/// The table of which command is legal from which state, and the state it leads to.
/// ``DeploymentDecider`` consults it; nothing else changes a deployment's state.
///
/// Rollback is allowed from every state that may have touched a node
/// (in progress, paused, completed, failed): it is the emergency exit and
/// skips approval and canary gates.
public enum DeploymentStateMachine {
    public struct Context: Sendable, Hashable {
        /// After this approval, enough valid approvals exist.
        public var approvalsComplete: Bool
        /// The rollout waits at a gate (manual or timed) that `promote` may open.
        public var atGate: Bool

        public init(approvalsComplete: Bool = false, atGate: Bool = false) {
            self.approvalsComplete = approvalsComplete
            self.atGate = atGate
        }
    }

    public static func next(
        from state: DeploymentState, on command: DeploymentCommand, _ context: Context = Context()
    ) -> Result<DeploymentState, IllegalTransition> {
        func refuse(_ reason: String) -> Result<DeploymentState, IllegalTransition> {
            .failure(IllegalTransition(state: state, command: command, reason: reason))
        }
        switch (state, command) {
        case (.pendingApproval, .approve):
            return .success(context.approvalsComplete ? .approved : .pendingApproval)
        case (.pendingApproval, .reject), (.approved, .reject):
            return .success(.rejected)
        case (.pendingApproval, .cancel), (.approved, .cancel), (.inProgress, .cancel), (.paused, .cancel):
            return .success(.cancelled)
        case (.pendingApproval, .start):
            return refuse("the deployment still needs approval")
        case (.approved, .start):
            return context.approvalsComplete ? .success(.inProgress) : refuse("the approvals are no longer valid (expired)")
        case (.inProgress, .pause):
            return .success(.paused)
        case (.paused, .resume):
            return .success(.inProgress)
        case (.inProgress, .promote):
            return context.atGate ? .success(.inProgress) : refuse("the rollout is not waiting at a gate")
        case (.inProgress, .rollback), (.paused, .rollback), (.completed, .rollback), (.failed, .rollback):
            return .success(.rolledBack)
        case (.approved, .approve):
            return refuse("the deployment is already approved")
        case (.inProgress, .retry), (.paused, .retry), (.completed, .retry):
            return .success(state)
        default:
            return refuse("'\(command.rawValue)' is not possible in state \(state.rawValue)")
        }
    }
}
