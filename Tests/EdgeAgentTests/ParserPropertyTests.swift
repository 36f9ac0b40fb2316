import EdgeAgent
import Foundation
import PropertyBased
import Testing

/// Issue 11, item 1: every agent parser of untrusted text, fed generated
/// input, never traps, and refuses (or clamps, where documented) what is out of range.
@Suite("Agent parsers, property-based")
struct ParserPropertyTests {
    /// Text built from fragments that parsers care about, plus arbitrary characters.
    static let fragments = [
        "0", "1", "9", "64", "65536", "4294967296", "9223372036854775807", "99999999999999999999", "-", "+", ".", "e", "E",
        "Ki", "Mi", "Gi", "Ti", "k", "M", "G", "T", "m", "i", "P", "T", "H", "S", "PT", "inf", "nan", " ", "\t", "\u{0}", "\n",
        "\u{85}", "/", "..", "%2e", ":", "sha256:", "a", "z", "é", "１", "http://", "https://", "@", "?", "#",
    ]
    static let text = Gen.int(in: 0...(fragments.count - 1)).array(of: 0...8).map { $0.map { fragments[$0] }.joined() }
    static let units = ["", "Ki", "Mi", "Gi", "Ti", "k", "M", "G", "T"]
    static let factors = [1, 1 << 10, 1 << 20, 1 << 30, 1 << 40, 1_000, 1_000_000, 1_000_000_000, 1_000_000_000_000]

    @Test func memorySizesNeverTrapAndStayInRange() async {
        await propertyCheck(count: 2000, input: Self.text) { text in
            if case .success(let bytes) = ResourceQuantity.memoryBytes(text) {
                #expect(ResourceQuantity.memoryRange.contains(bytes), "\(text.debugDescription) → \(bytes)")
            }
        }
    }

    @Test func memorySizesAreExact() async {
        await propertyCheck(count: 2000, input: Gen.int(in: 0...Int.max), Gen.int(in: 0...8)) { value, unit in
            let (product, overflow) = value.multipliedReportingOverflow(by: Self.factors[unit])
            let result = try? ResourceQuantity.memoryBytes("\(value)\(Self.units[unit])").get()
            #expect(result == (!overflow && ResourceQuantity.memoryRange.contains(product) ? product : nil))
        }
    }

    @Test func cpuNeverTrapsAndStaysInRange() async {
        await propertyCheck(count: 2000, input: Self.text) { text in
            if case .success(let millicores) = ResourceQuantity.cpuMillicores(text) {
                #expect(ResourceQuantity.cpuRange.contains(millicores))
            }
        }
        await propertyCheck(count: 1000, input: Gen.int(in: 0...Int.max)) { value in
            let whole = try? ResourceQuantity.cpuMillicores("\(value)").get()
            let (product, overflow) = value.multipliedReportingOverflow(by: 1000)
            #expect(whole == (!overflow && ResourceQuantity.cpuRange.contains(product) ? product : nil))
        }
    }

    @Test func intervalsAreFiniteAndHeartbeatsClamped() async {
        await propertyCheck(count: 2000, input: Self.text) { text in
            if let seconds = AgentSeconds.interval(text) { #expect(seconds.isFinite && seconds >= 0) }
            let heartbeat = AgentConfiguration(nodeId: "n", region: "r", zone: "z", orchestratorApiUrl: "https://x", heartbeatInterval: text)
                .heartbeatSeconds
            #expect(heartbeat.isFinite && (1...3600).contains(heartbeat))
        }
    }

    @Test func headerSecondsAreClamped() async {
        await propertyCheck(count: 2000, input: Self.text) { text in
            if let seconds = AgentSeconds.header(text, clampedTo: 1...300) { #expect((1...300).contains(seconds)) }
        }
        await propertyCheck(count: 1000, input: Gen.int(in: 0...Int.max)) { value in
            let parsed = AgentSeconds.header("\(value)", clampedTo: 1...300)
            #expect(parsed == ("\(value)".count <= 10 ? min(max(value, 1), 300) : nil))
        }
    }

    @Test func namesAndDigestsAreSinglePathComponents() async {
        await propertyCheck(count: 2000, input: Self.text) { text in
            if ServerInput.isModuleName(text) {
                #expect(!text.contains("/") && !text.contains("..") && !text.contains("\u{0}") && text.utf8.count <= 63 && text != ".")
            }
            if let hex = ServerInput.sha256Hex(text) { #expect(hex.utf8.count == 64 && hex.allSatisfy(\.isHexDigit)) }
            if ServerInput.isVersion(text) { #expect(!text.contains("/") && text.utf8.count <= 128) }
        }
    }

    @Test func sanitizedTextHasNoControlCharactersAndIsBounded() async {
        await propertyCheck(count: 2000, input: Self.text, Gen.int(in: 0...40)) { text, limit in
            let clean = ReportText.sanitize(text, maxBytes: limit)
            #expect(clean.utf8.count <= limit)
            #expect(!clean.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        }
    }

    @Test func urlPolicyNeverTrapsAndNeverLeaksTheCredential() async throws {
        let policy = try RequestPolicy(orchestratorURL: "https://api.example.com", insecure: false)
        await propertyCheck(count: 2000, input: Self.text) { text in
            guard let url = try? policy.resolve(text) else { return }
            #expect(url.scheme == "https" || url.scheme == "http")
            if policy.mayCarryCredential(url) { #expect(url.host?.lowercased() == "api.example.com" && (url.port ?? 443) == 443) }
        }
    }
}
