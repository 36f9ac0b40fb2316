import AsyncHTTPClient
import EdgeAgent
import Foundation
import Logging
import OrchestratorClient

/// `serve --demo`: a fleet of virtual agents in three regions and a story told through the real API, so that a newcomer
/// watches a canary complete, a failing canary roll back on its own, and a deployment wait for their approval.
///
/// Everything goes through the REST API as two people, `demo-deployer` (creates) and `demo-admin` (approves and
/// executes), so the audit log, the console and the CLI show what a real fleet would.
public struct DemoScenario: Sendable {
    public struct Options: Sendable {
        /// Virtual nodes in all, split evenly over ``regions``.
        public var nodes: Int
        /// Probability that a virtual agent reports any module `failed` (the fleet's background noise).
        public var failureRate: Double
        /// Probability that a virtual agent fails the second deployment, whose config asks for it: it trips the
        /// failure threshold so that the rollout rolls back automatically.
        public var badVersionFailureRate: Double
        /// Pause between canary steps, so that there is time to watch.
        public var stepPauseSeconds: Int

        public init(nodes: Int = 300, failureRate: Double = 0.01, badVersionFailureRate: Double = 0.6, stepPauseSeconds: Int = 10) {
            self.nodes = nodes
            self.failureRate = failureRate
            self.badVersionFailureRate = badVersionFailureRate
            self.stepPauseSeconds = stepPauseSeconds
        }
    }

    public static let regions = ["eu-west", "us-east", "ap-south"]
    static let environment = "production"

    let options: Options
    /// Shared by the scenario and every virtual agent, sized for their long-polls; shut down when `run` ends.
    let http: HTTPClient
    let baseURL: String
    let admin: APIClient
    let deployer: APIClient
    let logger: Logger
    let say: @Sendable (String) -> Void

    /// - Parameter say: one line for the person watching, e.g. printed on stdout.
    public init(
        options: Options, baseURL: String, adminToken: String, deployerToken: String, logger: Logger, say: @escaping @Sendable (String) -> Void
    ) {
        self.options = options
        self.http = FleetSimulator.makeHTTPClient(connections: options.nodes)
        self.baseURL = baseURL
        self.admin = APIClient(credentials: Credentials(address: baseURL, token: adminToken), http: http)
        self.deployer = APIClient(credentials: Credentials(address: baseURL, token: deployerToken), http: http)
        self.logger = logger
        self.say = say
    }

    /// Runs the story, then keeps the fleet running until cancelled.
    public func run() async throws {
        do {
            try await runFleetAndStory()
        } catch {
            try? await http.shutdown()
            throw error
        }
        try? await http.shutdown()
    }

    func runFleetAndStory() async throws {
        try await waitUntilReady()
        let enrollment = try await admin.send(
            .POST, "/enrollment-tokens",
            json: [
                "expiresInSeconds": 3600, "maxUses": .number(Double(options.nodes)), "environment": .string(Self.environment),
                "description": "demo fleet",
            ]
        ).json()
        guard let token = enrollment["token"]?.stringValue else { throw DemoFailure("POST /enrollment-tokens answered no token") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            // One element per region whose simulator has enrolled its nodes. Waiting on a stream (not a continuation)
            // ends with the group's cancellation, so a simulator that fails, or Ctrl-C, never leaves the story hanging.
            let (enrolled, enrolledRegion) = AsyncStream.makeStream(of: Void.self)
            for (index, region) in Self.regions.enumerated() {
                let simulator = try FleetSimulator(
                    options: .init(
                        count: share(of: index), prefix: region, region: region, enrollmentToken: token, failureRate: options.failureRate,
                        latencyMilliseconds: 200...2000, heartbeatSeconds: 10, waitSeconds: 30),
                    http: http, baseURL: baseURL, logger: logger,
                    output: { line in if line.contains(#""event":"enrolled""#) { enrolledRegion.yield() } })
                group.addTask { try await simulator.run() }
            }
            group.addTask {
                var regions = 0
                for await _ in enrolled {
                    regions += 1
                    if regions == Self.regions.count { break }
                }
                try Task.checkCancellation()
                try await story()
            }
            // The story ends; the fleet runs on until the server stops.
            try await group.next()
            try await group.next()
        }
    }

    /// Nodes of region `index`: an even share, the first regions taking the remainder.
    func share(of index: Int) -> Int {
        options.nodes / Self.regions.count + (index < options.nodes % Self.regions.count ? 1 : 0)
    }

    /// Until the API answers (it is 503 while the schema migrates; at most 2 minutes). Any other refusal (a token
    /// the server does not accept) is the demo's failure, reported at once rather than waited on for ever.
    func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            do {
                _ = try await admin.send(.GET, "/auth/whoami")
                return
            } catch let error as ClientError where error.exitCode == ClientExitCode.unavailable && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    func story() async throws {
        say("demo: \(options.nodes) virtual nodes enrolled in \(Self.regions.joined(separator: ", ")) (environment \(Self.environment))")
        for (version, answer) in [("1.0.0", UInt8(1)), ("1.1.0", UInt8(2))] {
            _ = try await deployer.send(
                .PUT, "/modules/\(DemoModule.name)/versions/\(version)", bytes: DemoModule.binary(answer: answer), contentType: "application/wasm")
        }
        say("demo: registered \(DemoModule.name) 1.0.0 and 1.1.0")

        let first = try await createAndExecute(version: "1.0.0", description: "First release of the greeter", config: [:])
        say("demo: canary of \(DemoModule.name) 1.0.0 started (10 %, 50 %, 100 %): deployment \(first)")
        say("demo: deployment \(first) is \(try await waitUntilFinished(first))")

        let failureConfig = [FleetSimulator.failureRateConfigKey: String(options.badVersionFailureRate)]
        let second = try await createAndExecute(
            version: "1.1.0", description: "Greeter 1.1 (fails on \(Int(options.badVersionFailureRate * 100)) % of the nodes)", config: failureConfig)
        say("demo: canary of \(DemoModule.name) 1.1.0 started; its nodes fail it, so it should roll back by itself: deployment \(second)")
        say("demo: deployment \(second) is \(try await waitUntilFinished(second))")

        let third = try await create(version: "1.1.0", description: "Greeter 1.1, fixed configuration: waiting for your approval", config: [:])
        say("demo: deployment \(third) waits for approval: approve it in the console's inbox, or with")
        say("      wasm-orchestrator deploy approve \(third) && wasm-orchestrator deploy execute \(third)")
    }

    /// Created by the deployer; returns the deployment's id.
    func create(version: String, description: String, config: [String: String]) async throws -> String {
        let body: JSONValue = [
            "moduleName": .string(DemoModule.name), "moduleVersion": .string(version), "environment": .string(Self.environment),
            "target": ["regions": .array(Self.regions.map(JSONValue.string))], "entrypoint": .string(DemoModule.entrypoint),
            "resources": ["memory": "16Mi", "cpu": "50m"], "config": .object(config.mapValues(JSONValue.string)),
            "strategy": ["type": "canary", "steps": [10, 50, 100], "pause": .string("\(options.stepPauseSeconds)s")],
            "failureThreshold": "10%", "description": .string(description),
        ]
        let created = try await deployer.send(.POST, "/deployments", json: body).json()
        guard let id = created["id"]?.stringValue else { throw DemoFailure("POST /deployments answered no id") }
        return id
    }

    /// Created by the deployer, then approved and started by the admin in one call (`execute`).
    func createAndExecute(version: String, description: String, config: [String: String]) async throws -> String {
        let id = try await create(version: version, description: description, config: config)
        _ = try await admin.send(.POST, "/deployments/\(APIClient.encode(id))/execute", json: ["approvedBy": "demo-admin"])
        return id
    }

    /// Polls until the deployment is in a final state (at most 10 minutes); returns its status.
    func waitUntilFinished(_ id: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < deadline {
            let status = try await admin.send(.GET, "/deployments/\(APIClient.encode(id))").json()["status"]?.stringValue ?? "unknown"
            if DeploymentSnapshot.finalStatuses.contains(status) { return status }
            try await Task.sleep(for: .seconds(1))
        }
        return "still running after 10 minutes"
    }
}

/// A step of the story that got an answer it cannot use.
struct DemoFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
