import Foundation
import Testing

/// Loads the JSON fixtures and converts their raw, as-on-the-wire values
/// into the unencoded form the signer takes.
enum SigV4Fixtures {
    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    /// `20150830T123600Z` → seconds since 1970.
    static func epoch(_ timestamp: String) -> Int {
        let digits = Array(timestamp.utf8)
        func number(_ range: Range<Int>) -> Int { Int(String(decoding: digits[range], as: UTF8.self))! }
        var components = DateComponents()
        components.year = number(0..<4)
        components.month = number(4..<6)
        components.day = number(6..<8)
        components.hour = number(9..<11)
        components.minute = number(11..<13)
        components.second = number(13..<15)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return Int(calendar.date(from: components)!.timeIntervalSince1970)
    }

    /// Splits a raw query string into percent-decoded pairs, keeping order.
    static func queryPairs(_ raw: String) -> [(String, String)] {
        guard !raw.isEmpty else { return [] }
        return raw.split(separator: "&", omittingEmptySubsequences: false).map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let name = parts[0].removingPercentEncoding ?? parts[0]
            let value = parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : ""
            return (name, value)
        }
    }
}

/// One vector of AWS's SigV4 test suite (converted by scripts/sigv4_reference tooling).
struct SuiteVector: Decodable, CustomTestStringConvertible {
    let name: String
    let method: String
    let path: String
    let query: String
    let headers: [[String]]
    let canonicalRequest: String
    let stringToSign: String
    let authorization: String
    let signature: String
    let region: String
    let service: String
    let accessKey: String
    let secretKey: String
    let timestamp: String
    let specialHandling: [String]

    var testDescription: String { name }
}

/// One of the S3 documentation examples.
struct S3Example: Decodable, CustomTestStringConvertible {
    struct Expected: Decodable {
        let canonicalRequest: String
        let signature: String
        let authorization: String?
        let presignedUrl: String?
    }
    let name: String
    let kind: String
    let accessKey: String
    let secretKey: String
    let region: String
    let timestamp: String
    let method: String
    let host: String
    let path: String
    let query: String
    let url: String
    let callerHeaders: [[String]]?
    let payloadHash: String?
    let expires: Int?
    let expected: Expected

    var testDescription: String { name }
}

/// A presigned URL produced by botocore under a frozen clock.
struct BotocorePresign: Decodable, CustomTestStringConvertible {
    struct Input: Codable {
        let mode: String
        let method: String
        let endpoint: String
        let bucket: String
        let key: String
        let region: String
        let accessKey: String
        let secretKey: String
        var sessionToken: String?
        let timestamp: String
        let expires: Int
    }
    struct Expected: Decodable {
        let url: String
    }
    let name: String
    let input: Input
    let expected: Expected

    var testDescription: String { name }
}
