/// Parses human durations used on the command line and in query strings:
/// `90`, `90s`, `30m`, `1h`, `7d`, or combinations such as `1h30m`.
public enum DurationText {
    /// Whole seconds, or `nil` when the text is not a duration or is not positive.
    public static func seconds(_ text: String) -> Int? {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty, trimmed.utf8.count <= 32 else { return nil }
        if let plain = Int(trimmed) { return plain > 0 ? plain : nil }
        var total = 0
        var number = ""
        for character in trimmed {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Int(number) else { return nil }
            let unit: Int
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            default: return nil
            }
            let (product, overflow) = value.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            total += product
            number = ""
        }
        guard number.isEmpty, total > 0 else { return nil }
        return total
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(self.drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}
