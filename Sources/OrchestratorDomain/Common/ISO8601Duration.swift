/// Formats whole seconds as an ISO 8601 duration such as `PT72H` or `PT1H2M3S`,
/// the form seed 004 uses for `uptime`.
public enum ISO8601Duration {
    public static func format(seconds: Int) -> String {
        let total = max(0, seconds)
        let hours = total / 3600
        let minutes = (total % 3600) / 60
        let secs = total % 60
        var text = "PT"
        if hours > 0 { text += "\(hours)H" }
        if minutes > 0 { text += "\(minutes)M" }
        if secs > 0 || (hours == 0 && minutes == 0) { text += "\(secs)S" }
        return text
    }
}
