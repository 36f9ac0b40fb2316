import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import OrchestratorDomain
import Testing

/// Everything the API shows about the stored records, as `GET path` → canonical body
/// (JSON with sorted keys, or a digest of the bytes for module content).
enum UpgradeReadBack {
    static let base = "/api/v1/wasm"

    /// Fields that are not stored but held by the running process, left out of the comparison: `drift.since` on
    /// `GET /nodes/{id}` is when *this* server's health monitor first saw the node's difference (each server starts
    /// counting afresh). Computed health does not move: both runs happen within the nodes' heartbeat window.
    static let timeVaryingFields: Set<String> = ["since"]

    /// Reads every list (all pages) and every item reachable from them.
    static func read(_ client: any TestClientProtocol) async throws -> [String: String] {
        let admin = try await UpgradeServer.token(.admin, subject: "reader@example.com")
        var reader = Reader(client: client, token: admin)
        for module in try await reader.list("/modules", under: "modules", key: "name") {
            try await reader.item("/modules/\(module)")
            for version in try await reader.list("/modules/\(module)/versions", under: "versions", key: "version") {
                try await reader.item("/modules/\(module)/versions/\(version)")
                try await reader.content("/modules/\(module)/versions/\(version)/content")
            }
        }
        _ = try await reader.list("/enrollment-tokens", under: "tokens", key: nil)  // one page holds every token; an item has only DELETE
        for node in try await reader.list("/nodes", under: "nodes", key: "nodeId") {
            try await reader.item("/nodes/\(node)")
            try await reader.item("/nodes/\(node)/health")
            _ = try await reader.list("/nodes/\(node)/health/history", under: "transitions", key: nil)
            _ = try await reader.list("/nodes/\(node)/status", under: "statuses", key: nil)
        }
        for deployment in try await reader.list("/deployments", under: "deployments", key: "id") {
            try await reader.item("/deployments/\(deployment)")  // its timeline, approvals and progress included
            _ = try await reader.list("/deployments/\(deployment)/nodes", under: "nodes", key: nil)
        }
        _ = try await reader.list("/audit-events", under: "events", key: nil)
        return reader.bodies
    }

    struct Reader {
        let client: any TestClientProtocol
        let token: String
        var bodies: [String: String] = [:]

        /// Every page of `path`, whose items the body holds under `name`; returns each item's `key` (for reading the items).
        mutating func list(_ path: String, under name: String, key: String?) async throws -> [String] {
            var keys: [String] = []
            var page = path
            for number in 1...100 {
                let document = try await json(page, as: "\(path) page \(number)")
                let items = document[name] as? [[String: Any]] ?? []
                #expect(document[name] != nil, "\(path) has \(name)")
                if let key { keys += items.compactMap { $0[key] as? String } }
                guard let cursor = document["nextCursor"] as? String else { break }
                page = path + (path.contains("?") ? "&" : "?") + "cursor=" + cursor
            }
            return keys
        }

        mutating func item(_ path: String) async throws {
            _ = try await json(path, as: path)
        }

        /// The downloaded bytes' SHA-256 and content type (the blob store must survive the upgrade too).
        mutating func content(_ path: String) async throws {
            let token = token
            let body = try await client.execute(uri: base + path, method: .get, headers: bearer(token)) { response in
                #expect(response.status == .ok, "\(path)")
                let digest = SHA256.hash(data: Data(buffer: response.body)).map { String(format: "%02x", $0) }.joined()
                return "\(response.headers[.contentType] ?? "") sha256:\(digest) \(response.body.readableBytes) bytes"
            }
            bodies["GET " + path] = body
        }

        private mutating func json(_ path: String, as name: String) async throws -> [String: Any] {
            let token = token
            let (text, document) = try await client.execute(uri: base + path, method: .get, headers: bearer(token)) { response throws in
                #expect(response.status == .ok, "\(path): \(String(buffer: response.body))")
                let document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let canonical = UpgradeReadBack.removing(UpgradeReadBack.timeVaryingFields, from: document)
                let data = try JSONSerialization.data(withJSONObject: canonical, options: [.sortedKeys])
                return (String(decoding: data, as: UTF8.self), document)
            }
            bodies["GET " + name] = text
            return document
        }
    }

    /// `value` without the named fields at any depth.
    static func removing(_ fields: Set<String>, from value: Any) -> Any {
        if let object = value as? [String: Any] {
            return object.filter { !fields.contains($0.key) }.mapValues { removing(fields, from: $0) }
        }
        if let array = value as? [Any] { return array.map { removing(fields, from: $0) } }
        return value
    }
}

func bearer(_ token: String) -> HTTPFields {
    [.authorization: "Bearer \(token)"]
}
