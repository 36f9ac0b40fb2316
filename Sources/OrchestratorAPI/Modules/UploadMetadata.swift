import Foundation
import HTTPTypes
import Hummingbird
import OrchestratorDomain

/// Optional module metadata on a raw upload, from the query string or headers
/// (`description` / `X-Module-Description`, `owner` / `X-Module-Owner`,
/// `requiredExports` / `X-Required-Exports`, comma-separated).
struct UploadMetadata {
    static let maxDescriptionBytes = 1024
    static let maxOwnerBytes = 256
    static let maxRequiredExports = 100

    let description: String?
    let owner: String?
    let requiredExports: [String]

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        description = query.get("description") ?? request.headers[HTTPField.Name("X-Module-Description")!]
        owner = query.get("owner") ?? request.headers[HTTPField.Name("X-Module-Owner")!]
        let exports = query.get("requiredExports") ?? request.headers[HTTPField.Name("X-Required-Exports")!]
        requiredExports = exports.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
        try Self.check(description: description, owner: owner, requiredExports: requiredExports)
    }

    static func check(description: String?, owner: String?, requiredExports: [String]) throws {
        if let description, !TextRules.isFreeText(description, maxBytes: maxDescriptionBytes) {
            throw APIError.badRequest(detail: "'description' is at most \(maxDescriptionBytes) bytes, without control characters")
        }
        if let owner, owner.isEmpty || !TextRules.isFreeText(owner, maxBytes: maxOwnerBytes) {
            throw APIError.badRequest(detail: "'owner' must be 1 to \(maxOwnerBytes) bytes, without control characters")
        }
        guard requiredExports.count <= maxRequiredExports,
            requiredExports.allSatisfy({ !$0.isEmpty && TextRules.isFreeText($0, maxBytes: 256) })
        else {
            throw APIError.badRequest(
                detail: "'requiredExports' takes at most \(maxRequiredExports) names of 1 to 256 bytes, without control characters")
        }
    }
}
