import OrchestratorDomain
import Testing

/// The decision function checked against the rules of docs/deployments.md (quoted in each test's name).
/// Every command is sent by an admin, so only the state rules are under test (roles are AccessPolicy's).
@Suite("Deployment decision")
struct DeploymentDecisionTests {
    typealias Event = DeploymentDecider.Event
    static let ops = Principal(subject: "ops", role: .admin, actors: ["ci-bot"])
    static let oneApproval = EnvironmentPolicy(requireApproval: true, requiredApprovals: 1, approvalTTLSeconds: 100)
    static let now = 1000.0

    /// A deployment of 4 nodes in cohorts of 2 behind a manual gate, in `state`. Active and finished states
    /// have dispatched their first cohort; `InProgress` waits at the gate so that `promote` applies.
    static func snapshot(
        _ state: DeploymentState, spec: DeploymentSpec = Rollout.spec(.rolling(batch: .count(2), pause: .manual)), approvals: [Approval] = []
    ) -> RolloutSnapshot {
        var snapshot = Rollout.snapshot(4, spec, now: now)
        var record = DeploymentRecord(
            id: "dep-1", spec: spec, versionKey: "2.0.0", digest: Rollout.digest, state: state, createdBy: "dev", createdAt: 0,
            stepCount: snapshot.record.stepCount)
        record.approvals = approvals
        if ![.pendingApproval, .approved, .rejected].contains(state) {
            record.startedAt = now - 100
            record.currentStep = 0
            record.stepStartedAt = now - 100
            record.gate = state == .inProgress ? .manual : .none
            snapshot.nodes = snapshot.nodes.map { node in
                var row = node
                if row.step == 0 {
                    row.state = state == .inProgress || state == .paused ? .succeeded : .updating
                    row.dispatchedAt = now - 100
                    row.hasBaseline = true
                }
                return row
            }
        }
        snapshot.record = record
        return snapshot
    }

    static func approval(_ who: String, at time: Double = now - 10, ttl: Double = 100) -> Approval {
        Approval(approver: who, role: .admin, digest: Rollout.digest, comment: nil, approvedAt: time, expiresAt: time + ttl)
    }

    static func decide(_ event: Event, _ snapshot: RolloutSnapshot) -> Result<DeploymentDecision, DeploymentRefusal> {
        DeploymentDecider.decide(event, snapshot)
    }

    static func refusal(_ event: Event, _ snapshot: RolloutSnapshot) -> DeploymentRefusal? {
        if case .failure(let refusal) = DeploymentDecider.decide(event, snapshot) { refusal } else { nil }
    }

    /// The commands, each with what makes it otherwise acceptable (a reason, the approval policy).
    static let commands: [Event] = [
        .approve(by: ops, comment: nil, reviewedDigest: nil, policy: oneApproval), .reject(by: ops, reason: "no"),
        .execute(by: ops, note: nil, policy: oneApproval), .pause(by: ops, reason: nil), .resume(by: ops), .promote(by: ops),
        .cancel(by: ops, reason: nil), .rollback(by: ops, reason: "incident", trigger: .manual),
    ]

    /// The table "Allowed transitions" of docs/deployments.md, written out by hand.
    static let allowed: [String: [DeploymentState: DeploymentState]] = [
        "deployment.approve": [.pendingApproval: .approved],
        "deployment.reject": [.pendingApproval: .rejected, .approved: .rejected],
        "deployment.execute": [.pendingApproval: .inProgress, .approved: .inProgress],
        "deployment.pause": [.inProgress: .paused],
        "deployment.resume": [.paused: .inProgress],
        "deployment.promote": [.inProgress: .inProgress],
        "deployment.cancel": [.pendingApproval: .cancelled, .approved: .cancelled, .inProgress: .cancelled, .paused: .cancelled],
        "deployment.rollback": [.inProgress: .rolledBack, .paused: .rolledBack, .completed: .rolledBack, .failed: .rolledBack],
    ]

    @Test("Allowed transitions: every command from every status goes where the table says; anything else is refused naming the current status")
    func everyCommandFromEveryState() {
        var checked = 0
        for state in DeploymentState.allCases {
            // An Approved deployment has its valid approval (by someone else than the caller).
            let snapshot = Self.snapshot(state, approvals: state == .approved ? [Self.approval("alice")] : [])
            for command in Self.commands {
                let wanted = Self.allowed[command.action]?[state]
                switch (Self.decide(command, snapshot), wanted) {
                case (.success(let decision), let wanted?):
                    #expect(decision.record.state == wanted, "\(state) --\(command.action)--> \(decision.record.state), wanted \(wanted)")
                    #expect(decision.audits == [DeploymentAuditEntry(action: command.action, actor: "ops", actors: ["ci-bot"])])
                    #expect(decision.timeline.first?.actor == "ops" && decision.record.events.last == decision.timeline.last)
                case (.failure(.illegalTransition(let refusal)), nil):
                    #expect(refusal.state == state && !refusal.reason.isEmpty, "\(command.action) from \(state): \(refusal)")
                case (let got, let wanted):
                    Issue.record("\(state) --\(command.action)--> \(got), wanted \(String(describing: wanted))")
                }
                checked += 1
            }
        }
        #expect(checked == DeploymentState.allCases.count * Self.commands.count)
    }

    @Test("requireApproval false: a new deployment is Approved at once; true: it starts PendingApproval")
    func submit() throws {
        let draft = Self.snapshot(.pendingApproval)
        let open = try Self.decide(.submit(by: Self.ops, summary: "hello@2.0.0", policy: EnvironmentPolicy(requireApproval: false)), draft).get()
        #expect(open.record.state == .approved && open.timeline.map(\.type) == ["created"])
        #expect(open.audits.map(\.action) == ["deployment.create"] && open.desired.isEmpty && open.metrics.isEmpty)
        let guarded = try Self.decide(.submit(by: Self.ops, summary: "hello@2.0.0", policy: Self.oneApproval), draft).get()
        #expect(guarded.record.state == .pendingApproval)
        #expect(guarded.timeline.first?.detail == "hello@2.0.0; needs 1 approval(s)")
    }

    @Test("When the number of valid approvals reaches requiredApprovals, the status becomes Approved; N approvals need N different people")
    func approvalsCount() throws {
        let two = EnvironmentPolicy(requireApproval: true, requiredApprovals: 2, approvalTTLSeconds: 100)
        var snapshot = Self.snapshot(.pendingApproval)
        let first = try Self.decide(.approve(by: Self.ops, comment: "lgtm", reviewedDigest: nil, policy: two), snapshot).get()
        #expect(first.record.state == .pendingApproval && first.record.approvals.count == 1)
        snapshot.record = first.record
        #expect(Self.refusal(.approve(by: Self.ops, comment: nil, reviewedDigest: nil, policy: two), snapshot) == .approvalRefused(.alreadyApproved))
        let alice = Principal(subject: "alice", role: .admin)
        let second = try Self.decide(.approve(by: alice, comment: nil, reviewedDigest: nil, policy: two), snapshot).get()
        #expect(second.record.state == .approved && second.record.approvals.map(\.approver) == ["ops", "alice"])
    }

    @Test("An approval expires this long after it was given: an Approved deployment whose approvals expired is approved again")
    func expiredApprovals() throws {
        let expired = Self.snapshot(.approved, approvals: [Self.approval("alice", at: Self.now - 200)])
        let approved = try Self.decide(.approve(by: Self.ops, comment: nil, reviewedDigest: nil, policy: Self.oneApproval), expired).get()
        #expect(approved.record.state == .approved && approved.record.approvals.count == 2, "the expired approval stays listed")
        let valid = Self.snapshot(.approved, approvals: [Self.approval("alice")])
        let refused = Self.refusal(.approve(by: Self.ops, comment: nil, reviewedDigest: nil, policy: Self.oneApproval), valid)
        #expect(
            refused
                == .illegalTransition(
                    IllegalTransition(
                        state: .approved, command: .approve, reason: "only a deployment pending approval can be approved")))
    }

    @Test("Execute: if the approvals have expired, the caller's own approval is added; then InProgress and the first cohort's desired state")
    func executeAfterExpiry() throws {
        let snapshot = Self.snapshot(.approved, approvals: [Self.approval("alice", at: Self.now - 200)])
        let started = try Self.decide(.execute(by: Self.ops, note: "bob", policy: Self.oneApproval), snapshot).get()
        #expect(started.record.state == .inProgress && started.record.approvals.last?.comment == "execute (approvedBy: bob)")
        let cohort = snapshot.nodes.filter { $0.step == 0 }.map(\.nodeID).sorted { $0.value < $1.value }
        #expect(Set(started.desired.keys) == Set(cohort))
        #expect(started.desired.values.allSatisfy { $0.module?.digest == Rollout.digest && $0.module?.deploymentID == "dep-1" })
        #expect(started.wakeUps == cohort, "the agents of the written nodes are woken")
        #expect(started.timeline.map(\.type) == ["approved", "started", "cohort.dispatched"])
    }

    @Test("Execute: if they would still be incomplete, the answer is approvals-incomplete and nothing is recorded")
    func executeIncomplete() {
        let two = EnvironmentPolicy(requireApproval: true, requiredApprovals: 2)
        #expect(
            Self.refusal(.execute(by: Self.ops, note: nil, policy: two), Self.snapshot(.pendingApproval))
                == .approvalsIncomplete(valid: 1, required: 2))
    }

    @Test("execute is refused with deployment-conflict when another deployment of the module is active, version-yanked when yanked")
    func executeBlocked() {
        var conflict = Self.snapshot(.approved, approvals: [Self.approval("alice")])
        conflict.conflictingDeployment = "dep-2"
        #expect(Self.refusal(.execute(by: Self.ops, note: nil, policy: Self.oneApproval), conflict) == .conflictingDeployment("dep-2"))
        var yanked = Self.snapshot(.approved, approvals: [Self.approval("alice")])
        yanked.versionYanked = true
        #expect(
            Self.refusal(.execute(by: Self.ops, note: nil, policy: Self.oneApproval), yanked)
                == .versionYanked(module: "hello", version: "2.0.0"))
    }

    @Test("reject: an approver refused it; final, counted as a rejected deployment")
    func reject() throws {
        let rejected = try Self.decide(.reject(by: Self.ops, reason: "not now"), Self.snapshot(.pendingApproval)).get()
        #expect(rejected.record.state == .rejected && rejected.record.reason == "not now" && rejected.record.finishedAt == Self.now)
        #expect(rejected.metrics == [.finished(outcome: "rejected", rolloutSeconds: nil)] && rejected.desired.isEmpty)
    }

    @Test("promote opens the gate and dispatches the next cohort; 409 illegal-transition when not waiting at a gate")
    func promote() throws {
        let waiting = Self.snapshot(.inProgress)
        let promoted = try Self.decide(.promote(by: Self.ops), waiting).get()
        let next = waiting.nodes.filter { $0.step == 1 }.map(\.nodeID)
        #expect(promoted.record.currentStep == 1 && Set(promoted.desired.keys) == Set(next) && Set(promoted.wakeUps) == Set(next))
        var running = waiting
        running.record.gate = .none
        guard case .failure(.illegalTransition(let refusal)) = Self.decide(.promote(by: Self.ops), running) else {
            Issue.record("promote without a gate was accepted")
            return
        }
        #expect(refusal.state == .inProgress && refusal.command == .promote)
    }

    @Test("pause: no new cohort starts; resume: failures so far are acknowledged and the progress deadline starts again")
    func pauseAndResume() throws {
        var snapshot = Self.snapshot(.inProgress)
        snapshot.record.gate = .none
        let paused = try Self.decide(.pause(by: Self.ops, reason: nil), snapshot).get()
        #expect(paused.record.state == .paused && paused.record.reason == "paused by ops" && paused.desired.isEmpty)
        snapshot.record = paused.record
        #expect(Rollout.tick(snapshot) == nil, "settled cohort, but paused: nothing is dispatched")
        snapshot.nodes[0].state = .failed
        snapshot.now += 50
        let resumed = try Self.decide(.resume(by: Self.ops), snapshot).get()
        #expect(resumed.record.state == .inProgress && resumed.record.acknowledgedFailures == 1 && resumed.record.stepStartedAt == snapshot.now)
    }

    @Test("cancel: nodes not yet updated are Skipped; updated nodes keep the new version")
    func cancel() throws {
        let cancelled = try Self.decide(.cancel(by: Self.ops, reason: "superseded"), Self.snapshot(.paused)).get()
        #expect(cancelled.record.state == .cancelled && cancelled.desired.isEmpty && cancelled.wakeUps.isEmpty)
        #expect(cancelled.nodes.values.allSatisfy { $0.step == 1 && $0.state == .skipped } && cancelled.nodes.count == 2)
        #expect(cancelled.metrics == [.finished(outcome: "cancelled", rolloutSeconds: 100)])
    }

    @Test("Rollback: every node this deployment dispatched is put back on what it ran before, or the module is removed")
    func rollback() throws {
        var snapshot = Self.snapshot(.completed)
        let previous = DesiredModule(
            name: "hello", version: "1.0.0", digest: Rollout.oldDigest, entrypoint: "_start", resources: ResourceLimits(), deploymentID: "dep-0")
        let dispatched = snapshot.nodes.filter { $0.step == 0 }.map(\.nodeID)
        snapshot.nodes = snapshot.nodes.map { node in
            var row = node
            if row.nodeID == dispatched[0] { row.baseline = previous }
            return row
        }
        let rolledBack = try Self.decide(.rollback(by: Self.ops, reason: "incident", trigger: .manual), snapshot).get()
        #expect(rolledBack.record.state == .rolledBack && rolledBack.outcome == .manualRollback)
        #expect(rolledBack.desired[dispatched[0]] == Baseline(module: previous) && rolledBack.desired[dispatched[1]] == Baseline(module: nil))
        #expect(Set(rolledBack.wakeUps) == Set(dispatched))
        #expect(rolledBack.metrics == [.finished(outcome: "rolled_back", rolloutSeconds: 100), .rolledBack(.manual)])
        #expect(rolledBack.timeline.last?.type == "rolledBack")
    }

    @Test("engine: all cohorts settled → Completed, audited as the rollout engine, with the rollout's duration")
    func completion() throws {
        var snapshot = Self.snapshot(.approved, spec: Rollout.spec(.allAtOnce))
        Rollout.apply(Rollout.start(snapshot), to: &snapshot)
        for node in Rollout.dispatched(snapshot) { snapshot.reports[node] = Rollout.report(snapshot, node, .running) }
        snapshot.now += 30
        let done = try #require(Rollout.tick(snapshot))
        #expect(done.record.state == .completed && done.desired.isEmpty)
        #expect(done.audits == [DeploymentAuditEntry(action: "deployment.completed", actor: DeploymentDecider.engineActor)])
        #expect(done.metrics == [.finished(outcome: "completed", rolloutSeconds: 30)])
    }

    @Test("A cohort has settled when none of its nodes is Pending or Updating; without a pause the next cohort is dispatched at once")
    func cohortProgression() throws {
        var snapshot = Self.snapshot(.approved, spec: Rollout.spec(.rolling(batch: .count(2), pause: .none)))
        Rollout.apply(Rollout.start(snapshot), to: &snapshot)
        let first = Rollout.dispatched(snapshot)
        snapshot.reports[first[0]] = Rollout.report(snapshot, first[0], .running)
        let partial = try #require(Rollout.tick(snapshot))
        #expect(partial.desired.isEmpty && partial.audits.isEmpty, "one node still Updating: no new cohort, no state change")
        Rollout.apply(partial, to: &snapshot)
        snapshot.reports[first[1]] = Rollout.report(snapshot, first[1], .running)
        let next = try #require(Rollout.tick(snapshot))
        #expect(next.record.currentStep == 1 && next.desired.count == 2 && Set(next.desired.keys).isDisjoint(with: first))
        #expect(next.wakeUps.count == 2 && next.audits.isEmpty, "still InProgress: the engine audits state changes only")
    }

    @Test("Node timeout: a node Updating for nodeTimeoutSeconds without reporting running becomes TimedOut, which counts as a failure")
    func nodeTimeout() throws {
        var snapshot = Self.snapshot(.approved, spec: Rollout.spec(.allAtOnce, threshold: .count(3), autoRollback: false))
        Rollout.apply(Rollout.start(snapshot), to: &snapshot)
        snapshot.now += 59
        #expect(Rollout.tick(snapshot) == nil)
        snapshot.now += 1
        let timedOut = try #require(Rollout.tick(snapshot))
        #expect(timedOut.nodes.count == 4 && timedOut.nodes.values.allSatisfy { $0.state == .timedOut })
        #expect(timedOut.record.state == .paused && timedOut.record.reason?.hasSuffix("4 of 4 dispatched nodes failed") == true)
    }

    @Test("Failure threshold exceeded: autoRollback true → RolledBack at once (rolledBack.automatic); false → Paused with the reason")
    func failureThreshold() throws {
        for autoRollback in [true, false] {
            var snapshot = Self.snapshot(.approved, spec: Rollout.spec(.allAtOnce, threshold: .count(0), autoRollback: autoRollback))
            Rollout.apply(Rollout.start(snapshot), to: &snapshot)
            let node = Rollout.dispatched(snapshot)[0]
            snapshot.reports[node] = Rollout.report(snapshot, node, .failed, reason: "trap")
            let decision = try #require(Rollout.tick(snapshot))
            if autoRollback {
                #expect(decision.record.state == .rolledBack && decision.timeline.last?.type == "rolledBack.automatic")
                #expect(decision.desired.count == 4 && decision.desired.values.allSatisfy { $0.module == nil })
                #expect(decision.metrics == [.finished(outcome: "rolled_back", rolloutSeconds: 0), .failed, .rolledBack(.automatic)])
            } else {
                #expect(decision.record.state == .paused && decision.record.reason?.hasSuffix("exceeded: 1 of 4 dispatched nodes failed") == true)
                #expect(decision.desired.isEmpty && decision.metrics.isEmpty)
                #expect(decision.audits == [DeploymentAuditEntry(action: "deployment.paused", actor: DeploymentDecider.engineActor)])
            }
        }
    }

    @Test("engine: failure threshold exceeded from Paused → RolledBack with autoRollback (nodes already updating finish)")
    func thresholdWhilePaused() throws {
        var snapshot = Self.snapshot(.approved, spec: Rollout.spec(.allAtOnce, threshold: .count(0)))
        Rollout.apply(Rollout.start(snapshot), to: &snapshot)
        Rollout.apply(try Self.decide(.pause(by: Self.ops, reason: nil), snapshot).get(), to: &snapshot)
        let node = Rollout.dispatched(snapshot)[0]
        snapshot.reports[node] = Rollout.report(snapshot, node, .failed)
        #expect(try #require(Rollout.tick(snapshot)).record.state == .rolledBack)
    }

    @Test("Progress deadline: a cohort not settled progressDeadlineSeconds after dispatch: RolledBack with autoRollback, else Failed")
    func progressDeadline() throws {
        for autoRollback in [true, false] {
            // Nodes time out later than the deadline, so the cohort is still unsettled when it passes.
            var spec = Rollout.spec(.allAtOnce, threshold: .count(10), autoRollback: autoRollback)
            spec.failurePolicy.nodeTimeoutSeconds = 900
            var snapshot = Self.snapshot(.approved, spec: spec)
            Rollout.apply(Rollout.start(snapshot), to: &snapshot)
            snapshot.now += 599
            #expect(Rollout.tick(snapshot) == nil)
            snapshot.now += 1
            let decision = try #require(Rollout.tick(snapshot))
            #expect(decision.record.state == (autoRollback ? .rolledBack : .failed))
            #expect(decision.metrics.contains(.failed))
            if !autoRollback { #expect(decision.desired.isEmpty, "Failed: nodes keep what they have") }
        }
    }

    @Test("The engine evaluates each InProgress and Paused deployment only: a tick of any other changes nothing")
    func tickIgnoresInactive() {
        for state in DeploymentState.allCases where !state.isActive {
            let decision = Self.decide(.tick, Self.snapshot(state))
            #expect((try? decision.get())?.isUnchanged == true, "\(state)")
        }
    }
}
