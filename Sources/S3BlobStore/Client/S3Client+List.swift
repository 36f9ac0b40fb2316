import AsyncHTTPClient
import Foundation
import NIOCore

/// One entry of a ListObjectsV2 answer.
public struct S3ObjectSummary: Sendable, Hashable {
    public let key: String
    public let size: Int
    /// Seconds since 1970.
    public let lastModified: Double
}

extension S3Client {
    /// ListObjectsV2 under `prefix`, in key order, starting after `startAfter`.
    public func listObjects(prefix: String, startAfter: String?, maxKeys: Int) async throws -> [S3ObjectSummary] {
        var query = [("list-type", "2"), ("max-keys", String(max(1, min(maxKeys, 1000)))), ("prefix", prefix)]
        if let startAfter { query.append(("start-after", startAfter)) }
        let answer = try await exchange("GET", path: "/\(configuration.bucket)", query: query, bodyLimit: 16 * 1024 * 1024)
        try answer.expectSuccess("ListObjectsV2")
        return Self.parseListing(String(buffer: answer.body))
    }

    /// Extracts `<Contents>` entries. Our keys are hex digests under a fixed
    /// prefix, so no XML entity appears in them; anything unparsable is skipped.
    static func parseListing(_ xml: String) -> [S3ObjectSummary] {
        var objects: [S3ObjectSummary] = []
        var rest = xml[...]
        while let open = rest.range(of: "<Contents>"), let close = rest.range(of: "</Contents>", range: open.upperBound..<rest.endIndex) {
            let entry = rest[open.upperBound..<close.lowerBound]
            rest = rest[close.upperBound...]
            guard let key = element("Key", in: entry), let size = element("Size", in: entry).flatMap(Int.init) else { continue }
            let modified = element("LastModified", in: entry).flatMap(parseTimestamp) ?? 0
            objects.append(S3ObjectSummary(key: key, size: size, lastModified: modified))
        }
        return objects
    }

    private static func element(_ name: String, in text: Substring) -> String? {
        guard let start = text.range(of: "<\(name)>"), let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) else {
            return nil
        }
        return String(text[start.upperBound..<end.lowerBound])
    }

    /// S3 writes `2026-11-23T18:00:00.000Z`; SeaweedFS omits the fraction.
    static func parseTimestamp(_ text: String) -> Double? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)?.timeIntervalSince1970
    }
}
