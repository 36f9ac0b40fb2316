import OrchestratorDomain
import Testing

@Suite("Readiness, durations and digests")
struct HealthAndFormattingTests {
    @Test("a required dependency down is unhealthy; only the optional cache down is degraded")
    func readiness() {
        let db = { (status: DependencyStatus) in DependencyCheck(name: "postgresql", isRequired: true, status: status) }
        let cache = { (status: DependencyStatus) in DependencyCheck(name: "redis", isRequired: false, status: status) }
        #expect(ReadinessPolicy.overall([db(.healthy), cache(.healthy)]) == .healthy)
        #expect(ReadinessPolicy.overall([db(.healthy), cache(.unhealthy)]) == .degraded)
        #expect(ReadinessPolicy.overall([db(.unhealthy), cache(.healthy)]) == .unhealthy)
        #expect(ReadinessPolicy.overall([db(.unhealthy), cache(.unhealthy)]) == .unhealthy)
    }

    @Test(
        "uptime is an ISO 8601 duration as in seed 004",
        arguments: [(0, "PT0S"), (59, "PT59S"), (3600, "PT1H"), (72 * 3600, "PT72H"), (3723, "PT1H2M3S"), (-5, "PT0S")])
    func uptime(seconds: Int, expected: String) {
        #expect(ISO8601Duration.format(seconds: seconds) == expected)
    }

    @Test(
        "durations on the command line",
        arguments: [
            ("1h", 3600), ("30m", 1800), ("45s", 45), ("7d", 604_800), ("1h30m", 5400), ("90", 90),
        ])
    func durationText(text: String, seconds: Int) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test("malformed durations are refused", arguments: ["", "h", "1x", "-5", "0", "1h30", "99999999999999999999d"])
    func badDurationText(text: String) {
        #expect(DurationText.seconds(text) == nil)
    }

    @Test("content digests parse only the sha256:<64 hex> form")
    func digests() {
        let hex = String(repeating: "ab", count: 32)
        #expect(ContentDigest(parsing: "sha256:\(hex)")?.hex == hex)
        #expect(ContentDigest(parsing: "sha256:\(hex.uppercased())")?.hex == hex)
        #expect(ContentDigest(parsing: hex) == nil)
        #expect(ContentDigest(parsing: "sha256:\(hex.dropLast())") == nil)
        #expect(ContentDigest(parsing: "sha256:\(hex.dropLast())g") == nil)
        #expect(ContentDigest(bytes: [0x00, 0xff, 0x10]).hex == "00ff10")
    }
}
