/// Parses the `resources` strings of a desired-state module with checked
/// arithmetic and range checks (issue 11, item 1): no text traps the agent.
///
/// Memory: a whole number of bytes, optionally with a binary suffix (`Ki`,
/// `Mi`, `Gi`, `Ti`: powers of 1024) or a decimal one (`k`, `M`, `G`, `T`:
/// powers of 1000), as Kubernetes writes quantities; at most 19 digits, no
/// fractions, no exponent. The accepted range is one WebAssembly page (64 KiB)
/// to 4 GiB (all a 32-bit memory can address); anything else is **refused**.
///
/// CPU: millicores (`500m`) or whole cores (`2`), 1 millicore to 1 000 000
/// cores; anything else is refused. The agent does not enforce CPU (the fuel
/// budget bounds work) but refuses what it cannot read.
public enum ResourceQuantity {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public static let memoryRange: ClosedRange<Int> = 65_536...4_294_967_296
    public static let cpuRange: ClosedRange<Int> = 1...1_000_000_000

    static let memoryUnits: [(suffix: String, factor: Int)] = [
        ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40),
        ("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000),
    ]

    /// `128Mi` → 134 217 728; refused outside ``memoryRange``.
    public static func memoryBytes(_ text: String) -> Result<Int, Failure> {
        let unit = memoryUnits.first { text.hasSuffix($0.suffix) }
        let digits = unit.map { String(text.dropLast($0.suffix.count)) } ?? text
        guard let value = wholeNumber(digits) else {
            return .failure(Failure(description: "'\(Self.excerpt(text))' is not a size (bytes, or a number with Ki, Mi, Gi, Ti, k, M, G or T)"))
        }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: unit?.factor ?? 1)
        guard !overflow, memoryRange.contains(bytes) else {
            return .failure(Failure(description: "'\(Self.excerpt(text))' is outside 64Ki-4Gi"))
        }
        return .success(bytes)
    }

    /// `500m` → 500, `2` → 2000; refused outside ``cpuRange``.
    public static func cpuMillicores(_ text: String) -> Result<Int, Failure> {
        let milli = text.hasSuffix("m")
        guard let value = wholeNumber(milli ? String(text.dropLast()) : text) else {
            return .failure(Failure(description: "'\(Self.excerpt(text))' is not millicores (500m) or cores (2)"))
        }
        let (millicores, overflow) = value.multipliedReportingOverflow(by: milli ? 1 : 1000)
        guard !overflow, cpuRange.contains(millicores) else {
            return .failure(Failure(description: "'\(Self.excerpt(text))' is outside 1m-1000000"))
        }
        return .success(millicores)
    }

    /// 1–19 ASCII digits as an `Int` (`nil` when it does not fit).
    static func wholeNumber(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard (1...19).contains(bytes.count), bytes.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(text)
    }

    /// The first 32 characters, printable ASCII only (for messages).
    static func excerpt(_ text: String) -> String {
        ReportText.sanitize(String(text.prefix(32)), maxBytes: 32)
    }
}

/// Seconds from untrusted text (configuration, response headers, JSON), always
/// finite and inside a stated range, so `Duration.seconds(_:)` can never trap
/// and no value can make the agent sleep for ever.
public enum AgentSeconds {
    /// The heartbeat interval setting: ISO 8601 (`PT30S`, `PT1M30S`, `PT0.5S`) or
    /// plain seconds (`30`, `2.5`). `nil` for anything else (non-finite, empty,
    /// negative, exponent forms, more than 32 characters).
    public static func interval(_ text: String) -> Double? {
        guard (1...32).contains(text.utf8.count) else { return nil }
        if let plain = decimal(text) { return plain }
        var rest = Substring(text.uppercased())
        guard rest.hasPrefix("PT") else { return nil }
        rest = rest.dropFirst(2)
        var total = 0.0
        var number = ""
        var sawUnit = false
        for character in rest {
            if character.isASCII && (character.isNumber || character == ".") {
                number.append(character)
                continue
            }
            guard let value = decimal(number) else { return nil }
            switch character {
            case "H": total += value * 3600
            case "M": total += value * 60
            case "S": total += value
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        return sawUnit && number.isEmpty && total.isFinite ? total : nil
    }

    /// A header of whole seconds (`X-Poll-After-Seconds`, `Retry-After`'s
    /// delta-seconds form), **clamped** into `range`; `nil` when absent or not
    /// 1–10 ASCII digits (an HTTP-date `Retry-After` is ignored).
    public static func header(_ text: String?, clampedTo range: ClosedRange<Int>) -> Int? {
        guard let text = text?.trimmingASCIISpaces(), let value = ResourceQuantity.wholeNumber(text), text.utf8.count <= 10 else { return nil }
        return min(max(value, range.lowerBound), range.upperBound)
    }

    /// `value` clamped into `range`; a non-finite value becomes `fallback`.
    public static func clamp(_ value: Double, _ range: ClosedRange<Double>, fallback: Double) -> Double {
        guard value.isFinite else { return fallback }
        return min(max(value, range.lowerBound), range.upperBound)
    }

    /// Digits with at most one `.`, at most 12 characters: always finite.
    static func decimal(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard (1...12).contains(bytes.count), bytes.allSatisfy({ (48...57).contains($0) || $0 == 46 }),
            bytes.filter({ $0 == 46 }).count <= 1, bytes.contains(where: { (48...57).contains($0) })
        else { return nil }
        return Double(text)
    }
}

extension String {
    func trimmingASCIISpaces() -> String {
        var bytes = Substring(self)
        while bytes.first == " " || bytes.first == "\t" { bytes = bytes.dropFirst() }
        while bytes.last == " " || bytes.last == "\t" { bytes = bytes.dropLast() }
        return String(bytes)
    }
}
