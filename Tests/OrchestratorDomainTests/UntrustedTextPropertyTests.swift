import OrchestratorDomain
import PropertyBased
import Testing

/// Issue 11, item 1: every parser of untrusted text, fed text built from the
/// fragments that break parsers (huge numbers, signs, units, separators,
/// control characters), never traps and refuses what is out of range.
@Suite("Untrusted text parsers (property tests)")
struct UntrustedTextPropertyTests {
    static let fragments = [
        "0", "1", "9", "00", "30", "9223372036854775807", "9223372036854775808", "18446744073709551616", "99999999999", "-", "+",
        "s", "m", "h", "d", "Mi", "Gi", "Ki", "m", ".", ",", "=", "/", "_", " ", "\u{0}", "\r\n", "\u{85}", "\u{202E}", "é",
        "a", "Z", "rc", "alpha", "1h", "30m", "1.0.0", "-rc.1", "+build.7", "sha256:", "abc", "key=value", "==", "%00",
    ]
    /// 0–10 fragments joined: short enough to hit every branch, long enough to overflow.
    static let text = Gen.int(in: 0...(fragments.count - 1)).array(of: 0...10).map { $0.map { fragments[$0] }.joined() }

    @Test("DurationText: no text traps; every answer is 1…10 years of seconds")
    func durations() async {
        await propertyCheck(count: 3000, input: Self.text) { text in
            if let seconds = DurationText.seconds(text) {
                #expect((1...DurationText.maxSeconds).contains(seconds))
            }
        }
        #expect(DurationText.seconds("9223372036854775807s1s") == nil)
        #expect(DurationText.seconds("9223372036854775807") == nil)
        #expect(DurationText.seconds("106751991167300d") == nil)
        #expect(DurationText.seconds("3650d1s") == nil)
        #expect(DurationText.seconds("1h30m") == 5400)
    }

    @Test("DurationText: a number with a unit is accepted exactly when it fits")
    func durationBounds() async {
        await propertyCheck(count: 2000, input: Gen.int(in: 0...Int.max), Gen.int(in: 0...3)) { value, unitIndex in
            let (unit, seconds) = [("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)][unitIndex]
            let (product, overflow) = value.multipliedReportingOverflow(by: seconds)
            let expected = !overflow && (1...DurationText.maxSeconds).contains(product) ? product : nil
            #expect(DurationText.seconds("\(value)\(unit)") == expected)
        }
    }

    @Test("SemanticVersion: no text traps; parsed versions compare without trapping and round-trip")
    func semver() async {
        await propertyCheck(count: 3000, input: Self.text, Self.text) { left, right in
            let a = SemanticVersion(left)
            let b = SemanticVersion(right)
            if let a { #expect(SemanticVersion(a.description) == a) }
            if let a, let b {
                _ = a < b
                _ = a == b
            }
        }
        #expect(SemanticVersion("99999999999999999999.0.0") == nil)
        let big = SemanticVersion("1.0.0-123456789012345678901234567890")
        let small = SemanticVersion("1.0.0-2")
        if let big, let small { #expect(small < big) }
    }

    @Test("label selectors and label maps: no text traps; accepted terms are valid labels")
    func selectors() async {
        await propertyCheck(count: 3000, input: Self.text) { text in
            if let labels = LabelSelector.parse(text) {
                #expect(labels.count <= NodeSpecRules.maxLabels)
                #expect(labels.allSatisfy { NodeSpecRules.isLabelKey($0.key) && NodeSpecRules.isLabelValue($0.value) })
                #expect(!labels.keys.contains(where: TextRules.containsForbidden))
            }
        }
    }

    @Test("resources: no text traps; accepted values are 1–9 digits and not zero")
    func resources() async {
        await propertyCheck(count: 3000, input: Self.text) { text in
            for (accepted, unit) in [(ResourceLimits.isMemory(text), "Mi"), (ResourceLimits.isCPU(text), "m")] where accepted {
                let digits = text.dropLast(unit.count)
                #expect((1...9).contains(digits.count))
                #expect(Int(digits).map { $0 > 0 } == true)
            }
        }
        #expect(!ResourceLimits.isMemory("0Mi"))
        #expect(!ResourceLimits.isMemory("9999999999Mi"))
    }

    @Test("identifiers and digests: no text traps; nothing accepted holds a control character")
    func identifiers() async {
        await propertyCheck(count: 3000, input: Self.text) { text in
            if NodeID(text) != nil { #expect(!TextRules.containsForbidden(text)) }
            if ModuleName(text) != nil { #expect(!TextRules.containsForbidden(text)) }
            if let digest = ContentDigest(parsing: text) { #expect(digest.description == text.lowercased()) }
            if TextRules.isFreeText(text, maxBytes: 64) { #expect(text.utf8.count <= 64 && !TextRules.containsForbidden(text)) }
        }
        #expect(TextRules.containsForbidden("a\u{0}b"))
        #expect(TextRules.containsForbidden("line\r\nforged"))
        #expect(TextRules.containsForbidden("\u{85}"))
        #expect(TextRules.containsForbidden("evil\u{202E}txt"))
        #expect(TextRules.isDocumentValue("multi\nline\tconfig", maxBytes: 64))
        #expect(!TextRules.isDocumentValue("nul\u{0}", maxBytes: 64))
    }
}
