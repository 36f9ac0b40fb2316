import NIOConcurrencyHelpers
import OrchestratorDomain
import Testing

@testable import Operations

@Suite("Recent checks: /health reuses a fresh result and never waits behind a refresh it can skip")
struct RecentChecksTests {
    static let previous = [DependencyCheck(name: "postgresql", isRequired: true, status: .healthy)]
    static let refreshed = [DependencyCheck(name: "postgresql", isRequired: true, status: .unhealthy)]

    /// A refresh that counts its calls and, when `gated`, says it started and waits until `open()` (for good).
    final class Refresh: Sendable {
        let calls = NIOLockedValueBox(0)
        let started = AsyncStream<Void>.makeStream()
        let gate = AsyncStream<Void>.makeStream()
        let gated: Bool

        init(gated: Bool = false) { self.gated = gated }

        func run() async -> [DependencyCheck] {
            calls.withLockedValue { $0 += 1 }
            if gated {
                started.continuation.yield()
                for await _ in gate.stream { break }
            }
            return RecentChecksTests.refreshed
        }

        func open() { gate.continuation.finish() }

        func waitUntilStarted() async {
            for await _ in started.stream { break }
        }
    }

    @Test("a result younger than maxAge is reused; an older one is refreshed")
    func freshness() async {
        let recent = RecentChecks()
        let refresh = Refresh()
        await recent.record(Self.previous, schemaReady: true)
        #expect(await recent.checks(maxAge: .seconds(60), schemaReady: true) { await refresh.run() } == Self.previous)
        #expect(refresh.calls.withLockedValue { $0 } == 0)
        #expect(await recent.checks(maxAge: .zero, schemaReady: true) { await refresh.run() } == Self.refreshed)
        #expect(await recent.checks(maxAge: .seconds(60), schemaReady: true) { await refresh.run() } == Self.refreshed, "kept")
        #expect(refresh.calls.withLockedValue { $0 } == 1)
    }

    @Test("a result made before the schema was migrated is not reused once it is")
    func schemaStateChange() async {
        let recent = RecentChecks()
        let refresh = Refresh()
        await recent.record(Self.previous, schemaReady: false)
        #expect(await recent.checks(maxAge: .seconds(60), schemaReady: true) { await refresh.run() } == Self.refreshed)
        #expect(refresh.calls.withLockedValue { $0 } == 1)
    }

    @Test("while one caller refreshes, another gets the previous result without waiting")
    func staleWhileRefreshing() async {
        let recent = RecentChecks()
        let refresh = Refresh(gated: true)
        await recent.record(Self.previous, schemaReady: true)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { #expect(await recent.checks(maxAge: .zero, schemaReady: true) { await refresh.run() } == Self.refreshed) }
            await refresh.waitUntilStarted()
            #expect(await recent.checks(maxAge: .zero, schemaReady: true) { await refresh.run() } == Self.previous)
            refresh.open()
        }
        #expect(refresh.calls.withLockedValue { $0 } == 1, "one refresh at a time")
    }

    @Test("callers with nothing to show yet wait for the refresh in progress instead of starting another")
    func firstCallersShareOneRefresh() async {
        let recent = RecentChecks()
        let refresh = Refresh(gated: true)
        await withTaskGroup(of: [DependencyCheck].self) { group in
            group.addTask { await recent.checks(maxAge: .zero, schemaReady: true) { await refresh.run() } }
            await refresh.waitUntilStarted()
            group.addTask { await recent.checks(maxAge: .zero, schemaReady: true) { await refresh.run() } }
            while await recent.waitingCallers == 0 { await Task.yield() }
            refresh.open()
            for await answer in group { #expect(answer == Self.refreshed) }
        }
        #expect(refresh.calls.withLockedValue { $0 } == 1)
    }
}
