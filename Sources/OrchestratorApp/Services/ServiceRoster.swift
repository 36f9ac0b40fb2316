import ServiceLifecycle

/// The server's long-lived components, each listed once, in start order; the service group
/// shuts them down in reverse, after the HTTP server.
///
/// ``buildApplication(settings:logger:onServerRunning:)`` adds every `Service` it builds here, to
/// ``running`` or (built on purpose but switched off by configuration) to ``idle``. A test walks
/// everything reachable from ``OrchestratorServer`` and fails on any `Service` in neither list, so
/// a new loop that is built but never run cannot go unnoticed.
public struct ServiceRoster: Sendable {
    /// What the application's service group runs, in this order.
    public private(set) var running: [any Service] = []
    /// Built but not run, by configuration (the rollout engine with `deployments.engine=false`).
    public private(set) var idle: [any Service] = []

    public init() {}

    mutating func run(_ services: [any Service]) {
        running += services
    }

    mutating func run(_ service: any Service) {
        running.append(service)
    }

    /// `service` runs when `enabled`, else it is recorded as deliberately idle.
    mutating func run(_ service: any Service, if enabled: Bool) {
        if enabled { running.append(service) } else { idle.append(service) }
    }
}
