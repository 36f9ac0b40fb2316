import Foundation
import HTTPTypes
import Hummingbird
import OrchestratorDomain

/// Small HTTP conventions every controller shares.
extension OrchestratorRequestContext {
    /// A path parameter, percent-decoded: Hummingbird hands them over raw, so
    /// `1.0.0%2Bbuild.7` from a `Location` header must mean `1.0.0+build.7`.
    ///
    /// Untrusted like any input: a decoded value over 256 bytes, or holding a control
    /// character, is refused with 400 naming the parameter before anything looks it up or audits it.
    func pathParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        let value = raw.removingPercentEncoding ?? raw
        guard (1...256).contains(value.utf8.count), !TextRules.containsForbidden(value) else {
            throw APIError.badRequest(detail: "the path parameter '\(name)' must be 1–256 characters without control characters")
        }
        return value
    }
}

extension Request {
    /// The `Content-Type` without parameters, lowercased (`application/json`).
    var mediaType: String {
        let contentType = headers[.contentType]?.lowercased() ?? ""
        return contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    }

    /// `If-None-Match` holds `*` or `etag` (strong or weak) — RFC 9110 §13.1.2's weak comparison.
    func ifNoneMatch(_ etag: String) -> Bool {
        guard let header = headers[.ifNoneMatch] else { return false }
        return header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }
}

extension ListBody {
    /// The listing, with `Link: <…>; rel="next"` (RFC 8288) when there is a next page.
    func response(request: Request, context: OrchestratorRequestContext) throws -> Response {
        var response = try self.response(from: request, context: context)
        if let nextCursor { response.headers[HTTPField.Name("Link")!] = ListingQuery.nextLink(request, cursor: nextCursor) }
        return response
    }
}

extension Request {
    /// A text query filter of at most `max` bytes without control characters
    /// (a NUL byte would otherwise reach SQL); `nil` when absent. 400 otherwise.
    func textFilter(_ name: String, max: Int = 256) throws -> String? {
        guard let value = uri.queryParameters.get(name) else { return nil }
        guard (1...max).contains(value.utf8.count), !TextRules.containsForbidden(value) else {
            throw APIError.badRequest(detail: "'\(name)' must be 1–\(max) characters without control characters")
        }
        return value
    }

    /// A boolean query flag: exactly `true` or `false`; `nil` when absent. 400 otherwise,
    /// so a typo (`yes`, `1`, `True`) is refused instead of silently read as `false`.
    func booleanFlag(_ name: String) throws -> Bool? {
        guard let value = uri.queryParameters.get(name) else { return nil }
        switch value {
        case "true": return true
        case "false": return false
        default: throw APIError.badRequest(detail: "'\(name)' must be true or false")
        }
    }
}
