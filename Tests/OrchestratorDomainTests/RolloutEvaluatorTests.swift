import OrchestratorDomain
import Testing

@Suite("Rollout evaluator")
struct RolloutEvaluatorTests {
    @Test("all at once: start dispatches every node with its baseline; running reports complete the deployment")
    func allAtOnce() throws {
        var snapshot = Rollout.snapshot(4, Rollout.spec(.allAtOnce))
        let previous = DesiredModule(
            name: "hello", version: "1.0.0", digest: Rollout.oldDigest, entrypoint: "_start", resources: ResourceLimits(), deploymentID: "dep-0")
        snapshot.current[Rollout.id("n00")] = previous
        let start = Rollout.start(snapshot)
        #expect(start.record.state == .inProgress && start.record.currentStep == 0)
        #expect(
            start.desired.count == 4 && start.desired.values.allSatisfy { $0.module?.digest == Rollout.digest && $0.module?.deploymentID == "dep-1" })
        #expect(start.nodes[Rollout.id("n00")]?.baseline == previous)
        #expect(start.nodes[Rollout.id("n01")]?.hasBaseline == true && start.nodes[Rollout.id("n01")]?.baseline == nil)
        Rollout.apply(start, to: &snapshot)
        #expect(Rollout.tick(snapshot) == nil, "nothing reported, nothing timed out: no change")

        for node in Rollout.dispatched(snapshot).prefix(3) { snapshot.reports[node] = Rollout.report(snapshot, node, .running) }
        let partial = try #require(Rollout.tick(snapshot))
        #expect(partial.record.state == .inProgress && partial.nodes.count == 3 && partial.desired.isEmpty)
        Rollout.apply(partial, to: &snapshot)
        #expect(DeploymentProgress(nodes: snapshot.nodes, state: snapshot.record.state).percent == 75)

        let last = try #require(Rollout.dispatched(snapshot).first)
        snapshot.reports[last] = Rollout.report(snapshot, last, .starting)
        #expect(Rollout.tick(snapshot)?.nodes[last]?.message == "starting")
        snapshot.reports[last] = Rollout.report(snapshot, last, .running)
        let done = try #require(Rollout.tick(snapshot))
        #expect(done.record.state == .completed && done.outcome == .completed && done.record.finishedAt == snapshot.now)
    }

    @Test("reports for another digest or deployment do not count")
    func foreignReports() {
        var snapshot = Rollout.snapshot(1, Rollout.spec(.allAtOnce))
        Rollout.apply(Rollout.start(snapshot), to: &snapshot)
        let node = Rollout.id("n00")
        snapshot.reports[node] = Rollout.report(snapshot, node, .running, digest: Rollout.oldDigest)
        #expect(Rollout.tick(snapshot) == nil)
        var other = Rollout.report(snapshot, node, .running)
        other.report.deploymentID = "dep-other"
        snapshot.reports[node] = other
        #expect(Rollout.tick(snapshot) == nil)
    }

    @Test("canary: a failure in the first cohort trips the threshold and rolls back automatically")
    func canaryAutomaticRollback() throws {
        var snapshot = Rollout.snapshot(10, Rollout.spec(.canary(steps: [20, 100], pause: .none), threshold: .percent(10)))
        Rollout.apply(Rollout.start(snapshot), to: &snapshot)
        let canaries = Rollout.dispatched(snapshot)
        #expect(canaries.count == 2)
        snapshot.reports[canaries[0]] = Rollout.report(snapshot, canaries[0], .running)
        snapshot.reports[canaries[1]] = Rollout.report(snapshot, canaries[1], .failed, reason: "trap: unreachable")
        let change = try #require(Rollout.tick(snapshot))
        #expect(change.record.state == .rolledBack && change.outcome == .automaticRollback)
        #expect(change.record.reason?.contains("1 of 2") == true)
        #expect(Set(change.desired.keys) == Set(canaries) && change.desired.values.allSatisfy { $0.module == nil }, "no previous version: removed")
        #expect(change.nodes.values.filter { $0.state == .skipped }.count == 8)
        #expect(change.record.events.last?.type == "rolledBack.automatic")
    }

    @Test("threshold without automatic rollback pauses; resume acknowledges the failures; a new one pauses again")
    func thresholdPause() throws {
        var snapshot = Rollout.snapshot(10, Rollout.spec(.rolling(batch: .count(5), pause: .none), threshold: .count(0), autoRollback: false))
        Rollout.apply(Rollout.start(snapshot), to: &snapshot)
        let batch = Rollout.dispatched(snapshot)
        snapshot.reports[batch[0]] = Rollout.report(snapshot, batch[0], .failed, reason: "boom")
        let paused = try #require(Rollout.tick(snapshot))
        #expect(paused.record.state == .paused && paused.outcome == .paused && paused.desired.isEmpty)
        Rollout.apply(paused, to: &snapshot)
        #expect(Rollout.tick(snapshot) == nil, "paused: nothing more happens")

        snapshot.record.state = .inProgress
        snapshot.record.acknowledgedFailures = 1
        for node in batch.dropFirst() { snapshot.reports[node] = Rollout.report(snapshot, node, .running) }
        let next = try #require(Rollout.tick(snapshot))
        #expect(next.record.state == .inProgress && next.record.currentStep == 1 && next.desired.count == 5)
        Rollout.apply(next, to: &snapshot)
        let second = Rollout.dispatched(snapshot)
        snapshot.reports[second[0]] = Rollout.report(snapshot, second[0], .failed, reason: "again")
        #expect(try #require(Rollout.tick(snapshot)).record.state == .paused)
    }

    @Test("manual gate waits for promote; a timed gate opens on time")
    func gates() throws {
        var manual = Rollout.snapshot(4, Rollout.spec(.rolling(batch: .count(2), pause: .manual)))
        Rollout.apply(Rollout.start(manual), to: &manual)
        for node in Rollout.dispatched(manual) { manual.reports[node] = Rollout.report(manual, node, .running) }
        let settled = try #require(Rollout.tick(manual))
        #expect(settled.record.gate == .manual && settled.desired.isEmpty)
        Rollout.apply(settled, to: &manual)
        #expect(Rollout.tick(manual) == nil)
        let promoted = Rollout.promote(manual)
        #expect(promoted.record.currentStep == 1 && promoted.desired.count == 2 && promoted.record.gate == .none)

        var timed = Rollout.snapshot(4, Rollout.spec(.rolling(batch: .count(2), pause: .seconds(30))))
        Rollout.apply(Rollout.start(timed), to: &timed)
        for node in Rollout.dispatched(timed) { timed.reports[node] = Rollout.report(timed, node, .running) }
        let waiting = try #require(Rollout.tick(timed))
        #expect(waiting.record.gate == .until(1030))
        Rollout.apply(waiting, to: &timed)
        timed.now = 1029
        #expect(Rollout.tick(timed) == nil)
        timed.now = 1030
        #expect(try #require(Rollout.tick(timed)).desired.count == 2)
    }

    @Test("per-node timeout counts as a failure; the progress deadline fails or rolls back")
    func timeouts() throws {
        var snapshot = Rollout.snapshot(2, Rollout.spec(.allAtOnce, threshold: .count(5), autoRollback: false))
        Rollout.apply(Rollout.start(snapshot), to: &snapshot)
        snapshot.now = 1059
        #expect(Rollout.tick(snapshot) == nil)
        snapshot.now = 1060
        let timedOut = try #require(Rollout.tick(snapshot))
        #expect(timedOut.nodes.values.allSatisfy { $0.state == .timedOut })
        #expect(timedOut.record.state == .completed, "settled (timed out) within the threshold of 5: completed with failures")

        var stuck = Rollout.snapshot(2, Rollout.spec(.allAtOnce, threshold: .count(5), autoRollback: false))
        stuck.record.spec.failurePolicy.nodeTimeoutSeconds = 10_000
        Rollout.apply(Rollout.start(stuck), to: &stuck)
        stuck.now = 1600
        let failed = try #require(Rollout.tick(stuck))
        #expect(failed.record.state == .failed && failed.outcome == .failed && failed.record.reason?.contains("600s") == true)
        stuck.record.spec.failurePolicy.autoRollback = true
        #expect(try #require(Rollout.tick(stuck)).record.state == .rolledBack)
    }

    @Test("disabled, unadmitted and deregistered nodes are skipped at dispatch; offline ones are dispatched and not waited for")
    func skipping() {
        var snapshot = Rollout.snapshot(5, Rollout.spec(.allAtOnce))
        snapshot.fleet[Rollout.id("n00")] = Rollout.node("n00", enabled: false)
        snapshot.fleet[Rollout.id("n01")] = Rollout.node("n01", admission: .pending)
        snapshot.fleet[Rollout.id("n02")] = nil
        snapshot.offline = [Rollout.id("n03")]
        let change = Rollout.start(snapshot)
        let messages = ["n00": "disabled", "n01": "not admitted (pending)", "n02": "deregistered"]
        for (node, message) in messages {
            #expect(change.nodes[Rollout.id(node)]?.state == .skipped && change.nodes[Rollout.id(node)]?.message == message)
        }
        // Offline under `skip`: its desired state is written so it converges when it returns; the rollout does not wait.
        let offline = change.nodes[Rollout.id("n03")]
        #expect(offline?.state == .offline && offline?.message == "offline: converges when it returns" && offline?.state.isSettled == true)
        #expect(offline?.state.isFailure == false)
        #expect(Set(change.desired.keys) == [Rollout.id("n03"), Rollout.id("n04")])

        var include = Rollout.snapshot(2, Rollout.spec(.allAtOnce, offline: .include))
        include.offline = [Rollout.id("n00")]
        #expect(Rollout.start(include).desired.count == 2)
    }

    @Test("a cohort that is entirely skipped falls through to the next one")
    func allSkippedCohort() throws {
        var snapshot = Rollout.snapshot(4, Rollout.spec(.rolling(batch: .count(2), pause: .none)))
        let first = snapshot.nodes.filter { $0.step == 0 }.map(\.nodeID)
        for node in first { snapshot.fleet[node] = Rollout.node(node.value, enabled: false) }
        Rollout.apply(Rollout.start(snapshot), to: &snapshot)
        #expect(Rollout.dispatched(snapshot).isEmpty)
        let change = try #require(Rollout.tick(snapshot))
        #expect(change.record.currentStep == 1 && change.desired.count == 2)
    }

    @Test("manual rollback reverts to baselines, leaves nodes a newer deployment took over, and skips gates")
    func manualRollback() {
        var snapshot = Rollout.snapshot(3, Rollout.spec(.rolling(batch: .count(2), pause: .manual)))
        let previous = DesiredModule(
            name: "hello", version: "1.0.0", digest: Rollout.oldDigest, entrypoint: "_start", resources: ResourceLimits(), deploymentID: "dep-0")
        for node in snapshot.nodes { snapshot.current[node.nodeID] = previous }
        Rollout.apply(Rollout.start(snapshot), to: &snapshot)
        let touched = Rollout.dispatched(snapshot)
        let newer = DesiredModule(
            name: "hello", version: "3.0.0", digest: Rollout.oldDigest, entrypoint: "_start", resources: ResourceLimits(), deploymentID: "dep-9")
        snapshot.current[touched[1]] = newer
        let change = Rollout.rollback(snapshot, reason: "incident")
        #expect(change.record.state == .rolledBack && change.outcome == .manualRollback)
        #expect(change.desired == [touched[0]: Baseline(module: previous)])
        #expect(change.nodes[touched[1]]?.message?.contains("dep-9") == true)
        #expect(change.nodes.values.filter { $0.state == .skipped }.count == 1)
    }

    @Test("inherited baseline: a node taken from an unfinished deployment returns to that one's baseline")
    func inheritedBaseline() {
        var snapshot = Rollout.snapshot(1, Rollout.spec(.allAtOnce))
        let node = Rollout.id("n00")
        let v1 = DesiredModule(
            name: "hello", version: "1.0.0", digest: Rollout.oldDigest, entrypoint: "_start", resources: ResourceLimits(), deploymentID: "dep-0")
        snapshot.current[node] = DesiredModule(
            name: "hello", version: "1.5.0", digest: Rollout.oldDigest, entrypoint: "_start", resources: ResourceLimits(), deploymentID: "dep-failed")
        snapshot.inheritedBaselines[node] = Baseline(module: v1)
        #expect(Rollout.start(snapshot).nodes[node]?.baseline == v1)
        snapshot.inheritedBaselines[node] = Baseline(module: nil)
        let removal = Rollout.start(snapshot).nodes[node]
        #expect(removal?.baseline == nil && removal?.hasBaseline == true)
    }

    @Test("cancel skips nodes not yet dispatched and keeps the updated ones")
    func cancel() {
        var snapshot = Rollout.snapshot(4, Rollout.spec(.rolling(batch: .count(2), pause: .manual)))
        Rollout.apply(Rollout.start(snapshot), to: &snapshot)
        let change = Rollout.cancel(snapshot, reason: "not today")
        #expect(change.record.state == .cancelled && change.desired.isEmpty && change.nodes.count == 2)
        #expect(change.nodes.values.allSatisfy { $0.state == .skipped })
    }
}
