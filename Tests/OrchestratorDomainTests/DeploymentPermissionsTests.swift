import OrchestratorDomain
import Testing

/// `allowedActions`: what the console offers a caller, from the roles, the approval rules and the state machine.
@Suite("Deployment permissions (allowedActions)")
struct DeploymentPermissionsTests {
    typealias D = DeploymentDecisionTests
    static let admin = Principal(subject: "ops", role: .admin)
    static let otherAdmin = Principal(subject: "sec", role: .admin)
    /// The deployments of ``DeploymentDecisionTests/snapshot(_:spec:approvals:)`` are created by `dev`.
    static let creator = Principal(subject: "dev", role: .deployer)
    static let otherDeployer = Principal(subject: "ci", role: .deployer)
    static let viewer = Principal(subject: "eve", role: .viewer)
    static let agent = Principal(subject: "edge-1", role: .agent, nodeID: "edge-1")

    static func allowed(
        _ principal: Principal, _ snapshot: RolloutSnapshot, policy: EnvironmentPolicy = D.oneApproval, nodes: Bool = true
    ) -> [DeploymentAction] {
        DeploymentPermissions.allowedActions(
            for: principal, on: snapshot.record, policy: policy, nodes: nodes ? snapshot.nodes : nil, retryBudget: 3, at: D.now)
    }

    @Test("pending approval: an admin who did not create it may approve, reject, execute and cancel; the creator (a deployer) only cancel")
    func pendingApproval() {
        let pending = D.snapshot(.pendingApproval)
        #expect(Self.allowed(Self.admin, pending) == [.approve, .reject, .execute, .cancel])
        #expect(Self.allowed(Self.creator, pending) == [.cancel])
        #expect(Self.allowed(Self.otherDeployer, pending) == [], "a deployer who did not create it may not cancel it")
    }

    @Test("four eyes: an admin who created the deployment may reject and cancel it, not approve or execute it, unless self-approval is allowed")
    func fourEyes() {
        let own = Principal(subject: "dev", role: .admin)
        let pending = D.snapshot(.pendingApproval)
        #expect(Self.allowed(own, pending) == [.reject, .cancel])
        var selfApproval = D.oneApproval
        selfApproval.allowSelfApproval = true
        #expect(Self.allowed(own, pending, policy: selfApproval) == [.approve, .reject, .execute, .cancel])
    }

    @Test("2 of N: after an admin's approval, that admin may no longer approve nor execute; another admin may do both")
    func quorum() {
        var twoApprovals = D.oneApproval
        twoApprovals.requiredApprovals = 2
        let approved = Approval(
            approver: "ops", role: .admin, digest: Rollout.digest, comment: nil, approvedAt: D.now - 10, expiresAt: D.now + 90)
        let pending = D.snapshot(.pendingApproval, approvals: [approved])
        #expect(Self.allowed(Self.admin, pending, policy: twoApprovals) == [.reject, .cancel])
        #expect(Self.allowed(Self.otherAdmin, pending, policy: twoApprovals) == [.approve, .reject, .execute, .cancel])
    }

    @Test("an environment whose approver role is deployer lets another deployer approve, reject and execute")
    func deployerApprovers() {
        var deployers = D.oneApproval
        deployers.approverRole = .deployer
        #expect(Self.allowed(Self.otherDeployer, D.snapshot(.pendingApproval), policy: deployers) == [.approve, .reject, .execute])
    }

    @Test("approved: the approver may start it; an approval whose time ran out makes it approvable again")
    func approved() {
        let valid = D.snapshot(.approved, approvals: [D.approval("sec")])
        #expect(Self.allowed(Self.admin, valid) == [.reject, .execute, .cancel])
        let expired = D.snapshot(.approved, approvals: [D.approval("sec", at: D.now - 200)])
        #expect(Self.allowed(Self.admin, expired).contains(.approve))
    }

    @Test("in progress at a gate: an admin may pause, promote, cancel and roll back; a deployer (not its creator) only pause")
    func inProgress() {
        let running = D.snapshot(.inProgress)
        #expect(Self.allowed(Self.admin, running) == [.pause, .promote, .cancel, .rollback])
        #expect(Self.allowed(Self.otherDeployer, running) == [.pause])
        #expect(Self.allowed(Self.creator, running) == [.pause, .cancel])
        var pastGate = running
        pastGate.record.gate = .none
        #expect(!Self.allowed(Self.admin, pastGate).contains(.promote), "promote needs a gate")
    }

    @Test("paused, completed, failed: resume and roll back as the state machine allows; retry only with a failed node among the rows read")
    func laterStates() {
        #expect(Self.allowed(Self.admin, D.snapshot(.paused)) == [.resume, .cancel, .rollback])
        #expect(Self.allowed(Self.admin, D.snapshot(.failed)) == [.rollback])
        var completed = D.snapshot(.completed)
        #expect(Self.allowed(Self.admin, completed) == [.rollback])
        completed.nodes[0].state = .failed
        #expect(Self.allowed(Self.admin, completed) == [.rollback, .retry])
        #expect(Self.allowed(Self.admin, completed, nodes: false) == [.rollback], "a listing reads no rows: no retry offered")
        #expect(Self.allowed(Self.otherDeployer, completed) == [], "retry and rollback are for admins")
    }

    @Test("viewers, agents and every finished deployment get no action at all")
    func nothing() {
        for state in DeploymentState.allCases {
            let snapshot = D.snapshot(state, approvals: state == .approved ? [D.approval("sec")] : [])
            #expect(Self.allowed(Self.viewer, snapshot) == [])
            #expect(Self.allowed(Self.agent, snapshot) == [])
            if state.isTerminal { #expect(Self.allowed(Self.admin, snapshot) == [], "\(state)") }
        }
    }

    @Test("every offered command is one the decider accepts, and the route's role check is AccessPolicy's")
    func offeredCommandsAreAccepted() {
        let principals = [Self.admin, Self.otherAdmin, Self.creator, Self.otherDeployer, Self.viewer]
        for state in DeploymentState.allCases {
            let snapshot = D.snapshot(state, approvals: state == .approved ? [D.approval("sec")] : [])
            for principal in principals {
                for action in Self.allowed(principal, snapshot) {
                    #expect(AccessPolicy.allows(principal, action.access), "\(principal.subject) \(action) in \(state)")
                }
            }
        }
        #expect(DeploymentAction.rollback.access == .administer)
        #expect(DeploymentAction.pause.access == .deploy)
        #expect(DeploymentAction.approve.access == .readFleet)
    }
}
