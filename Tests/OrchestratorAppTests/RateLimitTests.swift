import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrchestratorConfig
import OrchestratorDomain
import Testing

/// Token buckets over HTTP: the 429 answer, the classes, per-address before authentication,
/// and the agent budget (see `docs/rate-limits.md`).
@Suite("Rate limits")
struct RateLimitTests {
    static let base = "/api/v1/wasm"
    static let policyField = HTTPField.Name("RateLimit-Policy")!
    static let limitField = HTTPField.Name("RateLimit")!

    @Test("the 429 is problem+json with Retry-After, RateLimit-Policy and RateLimit; successes carry RateLimit")
    func tooManyRequestsShape() async throws {
        let environment = ["RATE_LIMITS_READS_BURST": "3", "RATE_LIMITS_READS_PER_MINUTE": "1"]
        try await TestServer(environment: environment).run { client, server in
            let alice = try await server.token(subject: "alice", role: .viewer)
            let started = ContinuousClock.now
            for remaining in [2, 1, 0] {
                try await client.execute(uri: Self.base + "/modules", method: .get, headers: bearer(alice)) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[Self.policyField] == #""reads";q=3;w=180"#)
                    #expect(response.headers[Self.limitField]?.hasPrefix(#""reads";r=\#(remaining);t="#) == true)
                }
            }
            try await client.execute(uri: Self.base + "/modules", method: .get, headers: bearer(alice)) { response throws in
                let problem = try response.problem(status: 429)
                #expect(problem["type"] as? String == "urn:wasm-orchestrator:problem:rate-limited")
                let retryAfter = try #require(response.headers[.retryAfter].flatMap { Int($0) })
                // One token a minute: a minute less the time gone since the first request (measured: load stretches it).
                let gone = Int((ContinuousClock.now - started).components.seconds) + 1
                #expect((59 - gone...60).contains(retryAfter), "\(retryAfter) s after \(gone) s")
                #expect(response.headers[Self.policyField] == #""reads";q=3;w=180"#)
                let limit = try #require(response.headers[Self.limitField])
                #expect(limit.hasPrefix(#""reads";r=0;t="#))
            }
            // Buckets are per principal and per class: another subject, and alice's writes, are untouched.
            let bob = try await server.token(subject: "bob", role: .viewer)
            try await client.execute(uri: Self.base + "/modules", method: .get, headers: bearer(bob)) { #expect($0.status == .ok) }
            try await client.execute(uri: Self.base + "/auth/tokens", method: .post, headers: bearer(alice)) { response in
                #expect(response.status != .tooManyRequests)
                #expect(response.headers[Self.limitField]?.hasPrefix(#""writes";"#) == true)
            }
        }
    }

    @Test("module uploads have their own bucket (seed 004's ModuleRegistration), separate from reads")
    func moduleRegistrationClass() async throws {
        // One token a minute: no refill between the three uploads, however slowly a loaded machine sends them.
        let environment = ["RATE_LIMITS_MODULE_REGISTRATION_BURST": "2", "RATE_LIMITS_MODULE_REGISTRATION_PER_MINUTE": "1"]
        try await TestServer(environment: environment).run { client, server in
            let developer = try await server.token(subject: "dev", role: .deployer)
            let upload: HTTPFields = [.authorization: "Bearer \(developer)", .contentType: "application/wasm"]
            for attempt in 0..<3 {
                try await client.execute(
                    uri: Self.base + "/modules/greeter/versions/1.0.\(attempt)", method: .put, headers: upload, body: ByteBuffer(string: "not wasm")
                ) { response in
                    #expect((response.status == .tooManyRequests) == (attempt == 2))
                    #expect(response.headers[Self.policyField] == #""moduleRegistration";q=2;w=120"#)
                }
            }
            try await client.execute(uri: Self.base + "/modules", method: .get, headers: bearer(developer)) { #expect($0.status == .ok) }
        }
    }

    @Test("failed authentications drain the source address's bucket; then even a valid token is refused before verification")
    func perAddressBeforeAuthentication() async throws {
        let environment = ["RATE_LIMITS_ENROLLMENT_BURST": "5", "RATE_LIMITS_ENROLLMENT_PER_MINUTE": "1"]
        try await TestServer(environment: environment).run { client, server in
            let admin = try await server.token(subject: "root", role: .admin)
            // Authenticated traffic is not charged to the address (a fleet may share one NAT address).
            for _ in 0..<10 {
                try await client.execute(uri: Self.base + "/nodes", method: .get, headers: bearer(admin)) { #expect($0.status == .ok) }
            }
            let forged = ["Bearer eyJhbGciOiJIUzI1NiJ9.e30.forged", "Bearer wet_\(String(repeating: "A", count: 43))", "Basic abc", "Bearer "]
            var statuses: [Int] = []
            for index in 0..<8 {
                let (headers, body) = NodeEndpointTests.json("", NodeEndpointTests.registration("edge-\(index)"))
                var forgedHeaders = headers
                forgedHeaders[.authorization] = forged[index % forged.count]
                statuses.append(
                    try await client.execute(uri: Self.base + "/nodes", method: .post, headers: forgedHeaders, body: body) { $0.status.code })
            }
            #expect(statuses.prefix(5).allSatisfy { $0 == 401 })
            #expect(statuses.dropFirst(5).allSatisfy { $0 == 429 })
            // The address is now refused outright, valid token or not, until its bucket refills.
            try await client.execute(uri: Self.base + "/nodes", method: .get, headers: bearer(admin)) { response throws in
                _ = try response.problem(status: 429)
                #expect(response.headers[Self.policyField] == #""enrollment";q=5;w=300"#)
                #expect(response.headers[.retryAfter] != nil)
            }
        }
    }

    @Test("registrations with an enrollment token are charged per address and carry the enrollment fields")
    func enrollmentCharged() async throws {
        let environment = ["RATE_LIMITS_ENROLLMENT_BURST": "2", "RATE_LIMITS_ENROLLMENT_PER_MINUTE": "1"]
        try await TestServer(environment: environment).run { client, server in
            let admin = try await server.token(subject: "root", role: .admin)
            let token = try await NodeEndpointTests.enrollmentToken(client, admin: admin)
            for (index, expected) in [201, 201, 429].enumerated() {
                let (headers, body) = NodeEndpointTests.json(token, NodeEndpointTests.registration("edge-\(index)"))
                try await client.execute(uri: Self.base + "/nodes", method: .post, headers: headers, body: body) { response in
                    #expect(response.status.code == expected)
                    #expect(response.headers[Self.limitField]?.hasPrefix(#""enrollment";r="#) == true)
                }
            }
        }
    }

    @Test("a healthy agent following the server's hints is never limited; one polling in a tight loop is")
    func agentBudget() async throws {
        // Short timings so the test covers many intervals; a burst of 2 means only the sustained,
        // derived rate (not the burst) can carry a healthy agent past the first second.
        let environment = [
            "NODES_HEARTBEAT_INTERVAL_SECONDS": "1", "NODES_POLL_INTERVAL_SECONDS": "1", "NODES_MAX_WAIT_SECONDS": "0",
            "RATE_LIMITS_AGENT_BURST": "2",
        ]
        try await TestServer(environment: environment).run { client, server in
            let admin = try await server.token(subject: "root", role: .admin)
            let healthy = try await NodeEndpointTests.credential(client, admin: admin, id: "edge-healthy")
            let rogue = try await NodeEndpointTests.credential(client, admin: admin, id: "edge-rogue")
            let clock = ContinuousClock()
            let end = clock.now + .seconds(4)
            var nextHeartbeat = clock.now
            var nextPoll = clock.now
            var healthyStatuses: [Int] = []
            // Four seconds, and at least four requests (a loaded machine may send fewer in four seconds), at most 30 s.
            while (clock.now < end || healthyStatuses.count < 4) && clock.now < end + .seconds(30) {
                if clock.now >= nextHeartbeat {
                    let (headers, body) = NodeEndpointTests.json(healthy, NodeEndpointTests.heartbeat)
                    healthyStatuses.append(
                        try await client.execute(uri: Self.base + "/nodes/edge-healthy/heartbeat", method: .post, headers: headers, body: body) {
                            $0.status.code
                        })
                    nextHeartbeat = nextHeartbeat + .seconds(1)
                }
                if clock.now >= nextPoll {
                    let (status, pollAfter) = try await client.execute(
                        uri: Self.base + "/nodes/edge-healthy/desired-state", method: .get, headers: bearer(healthy)
                    ) { response in
                        (response.status.code, Int(response.headers[HTTPField.Name("X-Poll-After-Seconds")!] ?? "") ?? 1)
                    }
                    healthyStatuses.append(status)
                    nextPoll = clock.now + .seconds(pollAfter)
                }
                // The agent's own pacing (it sleeps until its next heartbeat or poll), not an assertion.
                try await Task.sleep(until: min(nextHeartbeat, nextPoll))
            }
            // At least two rounds of heartbeat + poll: past what a burst of 2 alone could carry (loose: CI machines are slow).
            #expect(healthyStatuses.count >= 4)
            #expect(!healthyStatuses.contains(429), "healthy agent was limited: \(healthyStatuses)")

            let rogueStatuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<150 {
                    group.addTask {
                        try await client.execute(uri: Self.base + "/nodes/edge-rogue/desired-state", method: .get, headers: bearer(rogue)) {
                            $0.status.code
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(rogueStatuses.contains(429))
        }
    }

    @Test("rateLimits.enabled=false turns every limit off")
    func switchOff() async throws {
        try await TestServer(environment: ["RATE_LIMITS_ENABLED": "false", "RATE_LIMITS_READS_BURST": "1"]).run { client, server in
            let alice = try await server.token(subject: "alice", role: .viewer)
            for _ in 0..<3 {
                try await client.execute(uri: Self.base + "/modules", method: .get, headers: bearer(alice)) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[Self.limitField] == nil)
                }
            }
        }
    }

    @Test("defaults follow seed 004 and the node timings; a bad value names its key")
    func configuration() async throws {
        func settings(_ environment: [String: String]) async throws -> OrchestratorSettings {
            let reader = try await ConfigSources.reader(flags: [:], environment: environment, configFile: nil)
            return try OrchestratorSettings(reader: reader)
        }
        let defaults = try await settings([:]).rateLimits
        #expect(defaults.enabled)
        #expect(defaults.policy(.moduleRegistration).perMinute == 10)
        #expect(defaults.policy(.moduleExecution).perMinute == 1000)
        #expect(defaults.policy(.agent).perMinute == 60)
        #expect(try await settings(["NODES_HEARTBEAT_INTERVAL_SECONDS": "1"]).rateLimits.policy(.agent).perMinute > 60)
        #expect(try await settings(["RATE_LIMITS_READS_PER_MINUTE": "7"]).rateLimits.policy(.reads).perMinute == 7)
        await #expect(throws: ConfigurationError.self) { _ = try await settings(["RATE_LIMITS_WRITES_BURST": "0"]) }
        do {
            _ = try await settings(["RATE_LIMITS_MODULE_EXECUTION_PER_MINUTE": "lots"])
            Issue.record("accepted a non-integer rate")
        } catch let error as ConfigurationError {
            #expect(error.key == "rateLimits.moduleExecution.perMinute")
        }
    }
}
