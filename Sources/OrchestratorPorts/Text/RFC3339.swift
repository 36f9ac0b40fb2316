import Foundation

/// Timestamps as every answer, audit event and CloudEvent writes them: RFC 3339 in UTC, whole seconds.
public enum RFC3339 {
    public static func format(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds).formatted(.iso8601)
    }
}
