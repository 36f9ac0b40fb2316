/// Parses human durations used on the command line and in query strings:
/// `90`, `90s`, `30m`, `1h`, `7d`, or combinations such as `1h30m`.
///
/// The text is untrusted (query strings, deployment specs), so every step is
/// checked: a number or a sum that leaves `1...maxSeconds` is refused, never trapped on.
public enum DurationText {
    /// The longest duration accepted anywhere: ten years. Callers apply their own, smaller caps.
    public static let maxSeconds = 315_360_000

    /// Whole seconds in `1...maxSeconds`, or `nil` when the text is not a duration, is not positive or is longer.
    public static func seconds(_ text: String) -> Int? {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty, trimmed.utf8.count <= 32 else { return nil }
        if trimmed.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            guard let plain = Int(trimmed), (1...maxSeconds).contains(plain) else { return nil }
            return plain
        }
        var total = 0
        var number = ""
        for character in trimmed {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Int(number) else { return nil }
            guard let unit = unitSeconds(character) else { return nil }
            let (product, productOverflow) = value.multipliedReportingOverflow(by: unit)
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !productOverflow, !sumOverflow, sum <= maxSeconds else { return nil }
            total = sum
            number = ""
        }
        guard number.isEmpty, total > 0 else { return nil }
        return total
    }

    private static func unitSeconds(_ character: Character) -> Int? {
        switch character {
        case "s": 1
        case "m": 60
        case "h": 3600
        case "d": 86_400
        default: nil
        }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(self.drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}
