import Foundation
import Hummingbird
import OrchestratorDomain

/// Parses `limit`, `cursor` and filters from the query string, and makes
/// the `Link: <…>; rel="next"` header (RFC 8288).
struct ListingQuery {
    static let defaultLimit = 50
    static let maxLimit = 200

    let limit: Int
    let cursor: String?
    let kind: WasmBinaryKind?
    let status: VersionStatus?
    let namePrefix: String?

    /// - Parameter moduleFilters: `false` for listings that take only `limit` and `cursor`.
    init(_ request: Request, moduleFilters: Bool = true) throws {
        let query = request.uri.queryParameters
        if let text = query.get("limit") {
            guard let value = Int(text), (1...Self.maxLimit).contains(value) else {
                throw APIError.badRequest(detail: "'limit' must be an integer from 1 to \(Self.maxLimit)")
            }
            limit = value
        } else {
            limit = Self.defaultLimit
        }
        cursor = query.get("cursor")
        guard moduleFilters else {
            kind = nil
            status = nil
            namePrefix = nil
            return
        }
        if let text = query.get("kind") {
            guard let value = WasmBinaryKind(rawValue: text) else { throw APIError.badRequest(detail: "'kind' must be 'module' or 'component'") }
            kind = value
        } else {
            kind = nil
        }
        if let text = query.get("status") {
            guard let value = VersionStatus(rawValue: text) else {
                throw APIError.badRequest(detail: "'status' must be one of active, deprecated, yanked")
            }
            status = value
        } else {
            status = nil
        }
        if let prefix = query.get("namePrefix") ?? query.get("prefix") {
            guard prefix.utf8.count <= 63, !TextRules.containsForbidden(prefix) else {
                throw APIError.badRequest(detail: "'namePrefix' is at most 63 characters, without control characters")
            }
            namePrefix = prefix
        } else {
            namePrefix = nil
        }
    }

    /// Cursors are opaque to clients: base64url of a tagged position, so a
    /// cursor from one listing is refused by another.
    static func encodeCursor(tag: String, _ position: String) -> String {
        Data((tag + ":" + position).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    func decodeCursor(tag: String) throws -> String? {
        try Self.decodeCursor(cursor, tag: tag)
    }

    /// The position inside a cursor made by ``encodeCursor(tag:_:)`` for the same listing; 400 otherwise.
    static func decodeCursor(_ cursor: String?, tag: String) throws -> String? {
        guard let cursor else { return nil }
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard cursor.utf8.count <= 256, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            text.hasPrefix(tag + ":"), !TextRules.containsForbidden(text)
        else {
            throw APIError.badRequest(detail: "'cursor' is not a cursor returned by this listing")
        }
        return String(text.dropFirst(tag.count + 1))
    }

    /// The `Link` header for the next page: the request's own path and query with `cursor` replaced.
    static func nextLink(_ request: Request, cursor: String) -> String {
        var items = URLComponents(string: request.uri.description)?.queryItems ?? []
        items.removeAll { $0.name == "cursor" }
        items.append(URLQueryItem(name: "cursor", value: cursor))
        var components = URLComponents()
        components.path = request.uri.path
        components.queryItems = items
        return "<\(components.string ?? request.uri.path)>; rel=\"next\""
    }
}
