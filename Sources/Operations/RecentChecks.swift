import OrchestratorDomain

/// The latest dependency checks, for `/health`: a liveness probe must stay cheap and must not
/// wait on a dependency that is down.
///
/// A result is reused while it is younger than the caller's `maxAge` and was made with the same
/// schema state (so the first answer after migrations does not repeat "schema not migrated").
/// At most one refresh runs at a time; while it runs, other callers get the previous result at
/// once, and only callers with nothing to show yet wait for it.
actor RecentChecks {
    private struct Result {
        let checks: [DependencyCheck]
        let at: ContinuousClock.Instant
        let schemaReady: Bool
    }

    private var latest: Result?
    private var isRefreshing = false
    private var waiting: [CheckedContinuation<[DependencyCheck], Never>] = []

    /// Stores a result made by any check (readiness included) and hands it to the callers waiting for one.
    func record(_ checks: [DependencyCheck], schemaReady: Bool) {
        latest = Result(checks: checks, at: .now, schemaReady: schemaReady)
        resumeWaiting(with: checks)
    }

    /// The latest result if still fresh, else a new one from `refresh` (or the previous one while another caller refreshes).
    func checks(maxAge: Duration, schemaReady: Bool, refresh: @Sendable () async -> [DependencyCheck]) async -> [DependencyCheck] {
        if let latest, latest.schemaReady == schemaReady, ContinuousClock.now - latest.at < maxAge { return latest.checks }
        if isRefreshing {
            if let latest { return latest.checks }
            return await withCheckedContinuation { waiting.append($0) }
        }
        isRefreshing = true
        let checks = await refresh()
        isRefreshing = false
        // A cancelled refresh reports its probes as failed: answer with it, but do not keep it.
        if Task.isCancelled { resumeWaiting(with: checks) } else { record(checks, schemaReady: schemaReady) }
        return checks
    }

    /// How many callers wait for the refresh in progress (tests watch it).
    var waitingCallers: Int { waiting.count }

    private func resumeWaiting(with checks: [DependencyCheck]) {
        let callers = waiting
        waiting = []
        for caller in callers { caller.resume(returning: checks) }
    }
}
