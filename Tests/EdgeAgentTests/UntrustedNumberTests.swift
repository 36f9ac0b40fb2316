import EdgeAgent
import Foundation
import Testing

/// Issue 11, item 1 (the agent's share): no number from the server or the configuration traps the agent.
@Suite("Untrusted numbers")
struct UntrustedNumberTests {
    @Test("memory sizes: binary and decimal units, plain bytes, checked and ranged")
    func memory() throws {
        #expect(try ResourceQuantity.memoryBytes("1Gi").get() == 1 << 30)
        #expect(try ResourceQuantity.memoryBytes("128Mi").get() == 128 << 20)
        #expect(try ResourceQuantity.memoryBytes("64Ki").get() == 65_536)
        #expect(try ResourceQuantity.memoryBytes("4Gi").get() == 4 << 30)
        #expect(try ResourceQuantity.memoryBytes("1M").get() == 1_000_000)
        #expect(try ResourceQuantity.memoryBytes("2G").get() == 2_000_000_000)
        #expect(try ResourceQuantity.memoryBytes("131072").get() == 131_072)
        for refused in [
            "9223372036854775807Mi", "99999999999999999999", "17179869184Ki", "5Gi", "1Ti", "0Mi", "1Ki", "-1Mi", "1.5Gi", "1e9", "Mi", "", " 1Mi",
            "1mi", "１Mi",
        ] {
            #expect(throws: ResourceQuantity.Failure.self, "\(refused)") { try ResourceQuantity.memoryBytes(refused).get() }
        }
    }

    @Test("cpu: millicores or whole cores, checked and ranged")
    func cpu() throws {
        #expect(try ResourceQuantity.cpuMillicores("500m").get() == 500)
        #expect(try ResourceQuantity.cpuMillicores("2").get() == 2000)
        for refused in ["0m", "0", "9223372036854775807", "1000001", "0.5", "m", "", "-5m", "5M"] {
            #expect(throws: ResourceQuantity.Failure.self, "\(refused)") { try ResourceQuantity.cpuMillicores(refused).get() }
        }
    }

    @Test("heartbeat intervals never become infinite, NaN or huge")
    func heartbeatIntervals() {
        func seconds(_ text: String) -> Double {
            AgentConfiguration(nodeId: "n", region: "r", zone: "z", orchestratorApiUrl: "https://x", heartbeatInterval: text).heartbeatSeconds
        }
        #expect(seconds("PT30S") == 30 && seconds("PT1M30S") == 90 && seconds("45") == 45 && seconds("PT0.5S") == 1)
        for hostile in ["inf", "nan", "1e999", "-5", "PT99999999999H", "99999999999", "PT", "PTS", "PT1.2.3S", "PT5X"] {
            let value = seconds(hostile)
            #expect(value.isFinite && (1...3600).contains(value), "\(hostile) → \(value)")
        }
    }

    @Test("header seconds (X-Poll-After-Seconds, Retry-After) are clamped or ignored")
    func headerSeconds() {
        #expect(AgentSeconds.header("5", clampedTo: 1...300) == 5)
        #expect(AgentSeconds.header("99999999999999999999", clampedTo: 1...300) == nil)
        #expect(AgentSeconds.header("9999999999", clampedTo: 1...300) == 300)
        #expect(AgentSeconds.header("0", clampedTo: 1...300) == 1)
        for ignored in ["-1", "1.5", "Wed, 21 Oct 2015 07:28:00 GMT", "", "inf", nil] {
            #expect(AgentSeconds.header(ignored, clampedTo: 1...300) == nil)
        }
    }

    @Test("a desired state with overflowing and wrongly-scaled resources is refused per module; the agent stays up")
    func agentRefusesBadResources() async throws {
        let fake = FakeOrchestrator()
        try await fake.serve { base in
            let bytes = AgentFixtures.hello()
            fake.update {
                $0.blobs = ["/blobs/hello": bytes]
                $0.registrationAnswer = #"{"credential":"wnc_secret_credential","heartbeatIntervalSeconds":9223372036854775807}"#
            }
            func module(_ name: String, memory: String, cpu: String = "100m") -> TestModule {
                TestModule(
                    name: name, version: "1.0.0", digest: digest(bytes), downloadUrl: base + "/blobs/hello", entrypoint: "handle",
                    resources: ["memory": memory, "cpu": cpu])
            }
            fake.setModules([
                module("overflow", memory: "9223372036854775807Mi"), module("cores", memory: "1Mi", cpu: "9223372036854775807"),
                module("gibi", memory: "1Gi"),
            ])
            try await withAgent(base: base) {
                try await fake.until("overflow and cores are refused, gibi runs") { state in
                    state.reports.contains { $0.module == "gibi" && $0.state == "running" }
                        && state.reports.filter { $0.state == "failed" && ($0.reason ?? "").contains("resources.") }.count == 2
                }
            }
        }
    }
}
