import Foundation
import HTTPTypes
import NIOCore

/// Who sends a corpus request: each route lists the roles that can reach it.
enum CorpusRole: String, CaseIterable, Sendable {
    case admin, deployer, viewer, node, enrollment, anonymous
}

/// One hostile request of the bad-input corpus. `path` is relative to `/api/v1/wasm`
/// and already percent-encoded where the raw byte could not travel in a request line.
struct CorpusCase: Sendable, CustomStringConvertible {
    var method: HTTPRequest.Method
    var path: String
    var role: CorpusRole
    var headers: HTTPFields = [:]
    var body: [UInt8]? = nil
    /// A short label that names the input class, for failure messages.
    var label: String

    var description: String { "\(label): \(method) \(path.prefix(120)) as \(role)" }
}

/// The bad-input corpus of issue 11, item 9: malformed, oversized, truncated, wrongly typed,
/// overflowing and control-character inputs across every endpoint under `/api/v1/wasm`.
///
/// Every request is built so that, answered correctly, it changes nothing: bad path parameters
/// on routes without a body, and bad bodies, queries or headers elsewhere. Requests that would be
/// legitimate writes are never sent, so a changed store after the corpus is a finding.
enum BadInputCorpus {
    /// The fixtures the corpus aims at (created before the run).
    struct Fixture: Sendable {
        var node = "n1"
        var deployment: String
        var module = "hello"
        var version = "1.0.0"
    }

    /// Path parameter junk: NUL, CR/LF, `..`, overlong, C1, bidi, invalid UTF-8, overflowing numbers.
    static let pathJunk = [
        "%00", "a%00b", "%0D%0A", "a%0D%0AX-Injected:%201", "..", "%2E%2E", "..%2F..%2Fetc%2Fpasswd", "%2F",
        String(repeating: "a", count: 4_000), "%C2%85", "%E2%80%AE", "%FF%FE", "9223372036854775808", "-1", "%25", "%zz",
    ]

    /// Overflowing, negative, NaN and malformed durations for `?wait=`; none of them is a valid wait.
    static let waitJunk = [
        "9223372036854775807s1s", "9223372036854775807s", "9223372036854775808", "99999999999999999999h", "-1s", "-9223372036854775808s",
        "NaN", "nan", "inf", "1e308s", "1.5.5s", "s", "1x", "%00", "1s%0D%0A", String(repeating: "9", count: 400) + "s",
        "0x10s", "1%E2%80%AEs",
    ]

    /// Query values for `limit`: overflowing, negative, zero, NaN, huge, non-numeric.
    static let limitJunk = ["-1", "0", "9223372036854775808", "99999999999999999999", "NaN", "1e9", "abc", "%00", "1.5", "10000000"]

    /// Opaque cursors that were never issued.
    static let cursorJunk = ["garbage", "%00", String(repeating: "A", count: 3_000), "%2F%2F%2F", "eyJ4Ijo", "e30", "-1", "%C2%85"]

    /// Bodies that are not valid JSON objects of any request type.
    static let bodyJunk: [(String, [UInt8])] = [
        ("truncated", Array(#"{"moduleName":"hello","moduleVers"#.utf8)),
        ("not json", Array("hello".utf8)),
        ("array", Array("[]".utf8)),
        ("null", Array("null".utf8)),
        ("number", Array("9223372036854775808".utf8)),
        ("deep nesting", Array((String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)).utf8)),
        ("deep objects", Array((String(repeating: #"{"a":"#, count: 3_000) + "1" + String(repeating: "}", count: 3_000)).utf8)),
        ("invalid utf8", [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]),
        ("nul byte", [0x7B, 0x00, 0x7D]),
        ("bom", [0xEF, 0xBB, 0xBF] + Array("{".utf8)),
        ("empty", []),
    ]

    /// Header junk for `If-Match` (never `*`, never a current revision).
    static let ifMatchJunk = [
        #""r"#, #""r99999999999999999999""#, #""r-1""#, "W/", #"""#, "garbage", #""r1"  ,  "r2""#, String(repeating: "r", count: 6_000),
    ]

    /// Idempotency keys that are overlong or carry characters a key should not.
    static let idempotencyJunk = [String(repeating: "k", count: 9_000), "é-ключ", "a b", "\u{7F}", ""]

    /// Content types that lie about a JSON body.
    static let contentTypeLies = [
        "text/plain", "application/wasm", "multipart/form-data; boundary=", "application/", ";;;", "application/x-www-form-urlencoded",
    ]

    /// Authorization values that must be refused before any work.
    static let authJunk = [
        "Bearer ", "Bearer a.b.c", "Basic YWRtaW46YWRtaW4=", "Bearer wet_" + String(repeating: "x", count: 40),
        "Bearer " + String(repeating: "a", count: 7_000),
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJyb290Iiwicm9sZSI6ImFkbWluIn0.", "Bearer wnc_junk", "bearer", "Bearer \u{85}",
    ]

    /// Every route template with the roles that can reach it (path parameters as `{p}`).
    static func routes(_ f: Fixture) -> [(HTTPRequest.Method, String, [CorpusRole])] {
        let d = f.deployment
        return [
            (.get, "/auth/whoami", [.admin, .viewer, .deployer, .node]),
            (.post, "/auth/tokens", [.admin]),
            (.delete, "/auth/tokens/{p}", [.admin, .deployer, .viewer]),
            (.get, "/modules", [.viewer, .deployer, .admin, .node]),
            (.post, "/modules", [.deployer, .admin]),
            (.get, "/modules/{p}", [.viewer, .admin]),
            (.get, "/modules/{p}/versions", [.viewer, .deployer]),
            (.get, "/modules/\(f.module)/versions/{p}", [.viewer, .admin]),
            (.get, "/modules/{p}/versions/\(f.version)", [.deployer, .viewer]),
            (.delete, "/modules/\(f.module)/versions/{p}", [.admin]),
            (.delete, "/modules/{p}/versions/\(f.version)", [.admin]),
            (.get, "/modules/\(f.module)/versions/{p}/content", [.viewer, .node]),
            (.post, "/modules/\(f.module)/versions/{p}/deprecate", [.admin, .deployer]),
            (.post, "/modules/\(f.module)/versions/{p}/yank", [.admin]),
            (.post, "/modules/{p}/versions/\(f.version)/restore", [.admin]),
            (.post, "/enrollment-tokens", [.admin]),
            (.get, "/enrollment-tokens", [.admin]),
            (.delete, "/enrollment-tokens/{p}", [.admin]),
            (.post, "/nodes", [.enrollment]),
            (.get, "/nodes", [.viewer, .admin]),
            (.get, "/nodes/{p}", [.viewer, .node, .admin]),
            (.put, "/nodes/{p}", [.admin]),
            (.delete, "/nodes/{p}", [.admin]),
            (.post, "/nodes/{p}/accept", [.admin]),
            (.post, "/nodes/{p}/reject", [.admin]),
            (.post, "/nodes/{p}/credentials/rotate", [.admin, .node]),
            (.post, "/nodes/{p}/heartbeat", [.node]),
            (.get, "/nodes/{p}/health", [.viewer, .node]),
            (.get, "/nodes/{p}/health/history", [.viewer, .admin]),
            (.get, "/nodes/{p}/desired-state", [.node, .viewer]),
            (.post, "/nodes/{p}/status", [.node]),
            (.get, "/nodes/{p}/status", [.viewer, .node]),
            (.post, "/deployments", [.deployer, .admin]),
            (.get, "/deployments", [.viewer, .deployer]),
            (.get, "/deployments/{p}", [.viewer, .admin]),
            (.get, "/deployments/{p}/nodes", [.viewer, .deployer]),
            (.post, "/deployments/{p}/approve", [.admin]),
            (.post, "/deployments/{p}/reject", [.admin]),
            (.post, "/deployments/{p}/execute", [.deployer, .admin]),
            (.post, "/deployments/{p}/pause", [.deployer]),
            (.post, "/deployments/{p}/resume", [.admin]),
            (.post, "/deployments/{p}/promote", [.admin]),
            (.post, "/deployments/{p}/cancel", [.deployer]),
            (.post, "/deployments/{p}/rollback", [.admin]),
            (.get, "/audit-events", [.admin, .viewer]),
            // Fixture-bound forms of the templated routes (bodies, queries and headers aim here).
            (.get, "/deployments/\(d)", [.viewer]),
        ]
    }

    static func build(_ f: Fixture) -> [CorpusCase] {
        var cases: [CorpusCase] = []
        let json: HTTPFields = [.contentType: "application/json"]

        // 1. Path parameters on every templated route, rotating through the roles that can reach it.
        for (method, template, roles) in routes(f) where template.contains("{p}") {
            // A `jti` is an opaque identifier: digits and `-1` are valid ones (revoking them is a legitimate no-op).
            for (index, junk) in pathJunk.enumerated() where !(template.hasPrefix("/auth/tokens/") && ["9223372036854775808", "-1"].contains(junk)) {
                // Writes get an invalid body too, so that a path that slips through still changes nothing.
                let body: [UInt8]? = method == .get || method == .delete ? nil : Array("{".utf8)
                cases.append(
                    CorpusCase(
                        method: method, path: template.replacingOccurrences(of: "{p}", with: junk), role: roles[index % roles.count],
                        headers: body == nil ? [:] : json, body: body, label: "path parameter"))
            }
        }

        // 2. Query parameters.
        for (index, wait) in waitJunk.enumerated() {
            cases.append(
                CorpusCase(method: .get, path: "/nodes/\(f.node)/desired-state?wait=\(wait)", role: index % 2 == 0 ? .node : .viewer, label: "wait"))
        }
        let listings = [
            ("/modules", CorpusRole.viewer), ("/modules/\(f.module)/versions", .deployer), ("/nodes", .viewer), ("/deployments", .viewer),
            ("/deployments/\(f.deployment)/nodes", .viewer), ("/audit-events", .admin), ("/nodes/\(f.node)/status", .node),
            ("/nodes/\(f.node)/health/history", .viewer), ("/enrollment-tokens", .admin),
        ]
        for (path, role) in listings {
            for limit in limitJunk { cases.append(CorpusCase(method: .get, path: "\(path)?limit=\(limit)", role: role, label: "limit")) }
            for cursor in cursorJunk { cases.append(CorpusCase(method: .get, path: "\(path)?cursor=\(cursor)", role: role, label: "cursor")) }
        }
        let filters = [
            "/modules?kind=zzz", "/modules?status=%00", "/modules?namePrefix=%0D%0A", "/modules?namePrefix=" + String(repeating: "p", count: 3_000),
            "/nodes?environment=%00", "/nodes?selector=a%3D%3D%3Db", "/nodes?selector=" + String(repeating: "a=b,", count: 1_000),
            "/nodes?selector=%E2%80%AE=x",
            "/nodes?health=zzz", "/nodes?enabled=maybe", "/nodes?admission=%00", "/nodes?region=%C2%85",
            "/deployments?status=Bogus", "/deployments?moduleName=%00", "/deployments?environment=%0D%0A",
            "/deployments?createdBy=" + String(repeating: "c", count: 3_000),
            "/deployments/\(f.deployment)/nodes?state=Bogus", "/audit-events?outcome=bogus", "/audit-events?since=garbage",
            "/audit-events?until=99999999999999999999", "/audit-events?since=-1", "/audit-events?actor=%00", "/audit-events?action=%0D%0A",
            "/audit-events?target=" + String(repeating: "t", count: 3_000), "/enrollment-tokens?includeExpired=maybe",
        ]
        for (index, path) in filters.enumerated() {
            let role: CorpusRole = path.hasPrefix("/audit") || path.hasPrefix("/enrollment") ? .admin : (index % 2 == 0 ? .viewer : .deployer)
            cases.append(CorpusCase(method: .get, path: path, role: role, label: "filter"))
        }

        // 3. JSON bodies: generic junk on every JSON write, as each role that can send it.
        let writes: [(HTTPRequest.Method, String, CorpusRole)] = [
            (.post, "/auth/tokens", .admin), (.post, "/modules", .deployer), (.post, "/enrollment-tokens", .admin), (.post, "/nodes", .enrollment),
            (.put, "/nodes/\(f.node)", .admin), (.post, "/nodes/\(f.node)/heartbeat", .node), (.post, "/nodes/\(f.node)/status", .node),
            (.post, "/deployments", .deployer), (.post, "/deployments", .admin), (.post, "/deployments/\(f.deployment)/approve", .admin),
            (.post, "/deployments/\(f.deployment)/reject", .admin), (.post, "/deployments/\(f.deployment)/rollback", .admin),
        ]
        for (method, path, role) in writes {
            for (label, body) in bodyJunk {
                cases.append(CorpusCase(method: method, path: path, role: role, headers: json, body: body, label: "body: \(label)"))
            }
        }

        // 4. Typed bodies with one bad field each.
        for body in deploymentBodies(f) {
            cases.append(
                CorpusCase(
                    method: .post, path: "/deployments", role: .deployer, headers: json, body: Array(body.utf8),
                    label: "deployment field: \(body.prefix(160))"))
        }
        for body in nodeBodies() {
            cases.append(
                CorpusCase(method: .post, path: "/nodes", role: .enrollment, headers: json, body: Array(body.utf8), label: "registration field"))
        }
        for body in heartbeatBodies() {
            cases.append(
                CorpusCase(
                    method: .post, path: "/nodes/\(f.node)/heartbeat", role: .node, headers: json, body: Array(body.utf8), label: "heartbeat field"))
        }
        for body in statusBodies(f) {
            cases.append(
                CorpusCase(method: .post, path: "/nodes/\(f.node)/status", role: .node, headers: json, body: Array(body.utf8), label: "status field"))
        }
        for body in otherBodies() {
            cases.append(
                CorpusCase(
                    method: body.0, path: body.1.replacingOccurrences(of: "{d}", with: f.deployment), role: body.2, headers: json,
                    body: Array(body.3.utf8), label: "field"))
        }

        // 5. Headers: If-Match, Idempotency-Key, Content-Type lies, Authorization junk.
        let reviewed = Array(#"{"comment":"ok"}"#.utf8)
        for (index, tag) in ifMatchJunk.enumerated() {
            let path = ["/deployments/\(f.deployment)/approve", "/deployments/\(f.deployment)/reject", "/deployments/\(f.deployment)/cancel"][
                index % 3]
            let role: CorpusRole = path.hasSuffix("cancel") ? .deployer : .admin
            var headers = json
            headers[.ifMatch] = tag
            let body = path.hasSuffix("reject") || path.hasSuffix("cancel") ? Array(#"{"reason":"no"}"#.utf8) : reviewed
            cases.append(CorpusCase(method: .post, path: path, role: role, headers: headers, body: body, label: "If-Match"))
            var conditional: HTTPFields = [:]
            conditional[.ifNoneMatch] = tag
            cases.append(CorpusCase(method: .get, path: "/deployments/\(f.deployment)", role: .viewer, headers: conditional, label: "If-None-Match"))
        }
        for key in idempotencyJunk {
            for (method, path, role) in writes.prefix(8) {
                var headers = json
                headers[HTTPField.Name("Idempotency-Key")!] = key
                cases.append(CorpusCase(method: method, path: path, role: role, headers: headers, body: Array("{".utf8), label: "Idempotency-Key"))
            }
        }
        let validDeployment = Array(deploymentBody(f).utf8)
        for lie in contentTypeLies {
            cases.append(
                CorpusCase(
                    method: .post, path: "/deployments", role: .deployer, headers: [.contentType: lie], body: validDeployment,
                    label: "Content-Type lie"))
            cases.append(
                CorpusCase(
                    method: .post, path: "/enrollment-tokens", role: .admin, headers: [.contentType: lie], body: Array("{}".utf8),
                    label: "Content-Type lie"))
            // `application/wasm` is the upload's own type (the binary below is a valid, empty module).
            guard lie != "application/wasm" else { continue }
            cases.append(
                CorpusCase(
                    method: .put, path: "/modules/\(f.module)/versions/9.9.9", role: .deployer, headers: [.contentType: lie],
                    body: [0x00, 0x61, 0x73, 0x6D, 0x01, 0, 0, 0], label: "Content-Type lie"))
        }
        for (index, value) in authJunk.enumerated() {
            let targets: [(HTTPRequest.Method, String)] = [
                (.get, "/modules"), (.post, "/nodes"), (.post, "/deployments"), (.get, "/nodes/\(f.node)/desired-state"),
            ]
            for (method, path) in targets {
                var headers = json
                headers[.authorization] = value
                cases.append(
                    CorpusCase(
                        method: method, path: path, role: .anonymous, headers: headers, body: method == .post ? Array("{}".utf8) : nil,
                        label: "Authorization #\(index)"))
            }
        }

        // 6. Module uploads: truncated and garbage bytes, bad versions and metadata.
        let wasmHeader: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
        let uploads: [(String, [UInt8])] = [
            ("/modules/\(f.module)/versions/9.9.9", Array(wasmHeader.prefix(5))),
            ("/modules/\(f.module)/versions/9.9.9", wasmHeader + [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
            ("/modules/\(f.module)/versions/9.9.9", wasmHeader + [0x05, 0x07, 0x01, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
            ("/modules/\(f.module)/versions/9.9.9", Array(repeating: 0xFF, count: 64)),
            ("/modules/\(f.module)/versions/9.9.9", []),
            ("/modules/\(f.module)/versions/9.9.9?description=%00", wasmHeader),
            ("/modules/\(f.module)/versions/9.9.9?owner=%0D%0A", wasmHeader),
            ("/modules/\(f.module)/versions/9.9.9?requiredExports=" + String(repeating: "e,", count: 2_000), wasmHeader),
            ("/modules/\(f.module)/versions/99999999999999999999.0.0", wasmHeader),
            ("/modules/\(f.module)/versions/1.0.0-%00", wasmHeader),
            ("/modules/\(f.module)/versions/1.0.0%2B%E2%80%AE", wasmHeader),
            ("/modules/%00/versions/1.0.0", wasmHeader),
        ]
        for (index, upload) in uploads.enumerated() {
            cases.append(
                CorpusCase(
                    method: .put, path: upload.0, role: index % 2 == 0 ? .deployer : .admin, headers: [.contentType: "application/wasm"],
                    body: upload.1, label: "upload"))
        }
        return cases
    }

    static func deploymentBody(_ f: Fixture, replacing field: String? = nil, with value: String? = nil) -> String {
        var fields: [(String, String)] = [
            ("moduleName", #""\#(f.module)""#), ("moduleVersion", #""\#(f.version)""#), ("environment", #""production""#),
            ("target", #"{"nodeIds":["\#(f.node)"]}"#), ("entrypoint", #""handle""#), ("resources", #"{"memory":"128Mi","cpu":"100m"}"#),
        ]
        if let field, let value {
            if let index = fields.firstIndex(where: { $0.0 == field }) { fields[index].1 = value } else { fields.append((field, value)) }
        }
        return "{" + fields.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",") + "}"
    }

    /// Control and formatting characters every free-text field must refuse (JSON-escaped).
    static let controlJunk = [#""a\u0000b""#, #""a\r\nb""#, #""a\u0085b""#, #""a\u202Eb""#, #""a\u001bb""#, #""\ud800""#]

    static func deploymentBodies(_ f: Fixture) -> [String] {
        var bodies: [String] = []
        let overflow = #""9223372036854775807s1s""#
        let pauses = [overflow, #""-1s""#, #""NaN""#, #""99999999999999999999h""#, "9223372036854775808", "-1", #""1e308s""#, "true"]
        for pause in pauses {
            bodies.append(deploymentBody(f, replacing: "strategy", with: #"{"type":"Canary","steps":[10,50],"pause":\#(pause)}"#))
            bodies.append(deploymentBody(f, replacing: "strategy", with: #"{"type":"Rolling","batchSize":1,"pause":\#(pause)}"#))
        }
        for memory in [#""99999999999Mi""#, #""9223372036854775807Gi""#, #""-1Mi""#, #""1Qi""#, #""NaN""#, #""""#, "128", #""1e400""#] {
            bodies.append(deploymentBody(f, replacing: "resources", with: #"{"memory":\#(memory),"cpu":"100m"}"#))
        }
        for cpu in [#""99999999999999999999m""#, #""-5""#, #""NaN""#, #""1e308""#, "[]"] {
            bodies.append(deploymentBody(f, replacing: "resources", with: #"{"memory":"128Mi","cpu":\#(cpu)}"#))
        }
        for text in controlJunk {
            for field in ["moduleName", "moduleVersion", "environment", "entrypoint", "description", "runtime"] {
                bodies.append(deploymentBody(f, replacing: field, with: text))
            }
        }
        let wrongTypes: [(String, String)] = [
            ("moduleName", "1"), ("moduleVersion", "[]"), ("environment", "42"), ("target", #""all""#), ("target", "{}"),
            ("target", #"{"nodeIds":"n1"}"#), ("target", #"{"labels":{"a":1}}"#), ("target", #"{"selector":"\u0000"}"#),
            ("target", #"{"nodeIds":[\#(Array(repeating: #""x""#, count: 5_000).joined(separator: ","))]}"#),
            ("target", #"{"percentage":1e400}"#), ("strategy", #"{"type":"Teleport"}"#),
            ("strategy", #"{"type":"Canary","steps":[{"weight":1e400}]}"#),
            ("strategy", #"{"type":"Canary","steps":[-1]}"#), ("strategy", #"{"type":"Canary","steps":[9223372036854775808]}"#),
            ("strategy", #"{"type":"Rolling","batchSize":-9223372036854775808}"#),
            ("strategy", #"{"type":"Rolling","batchPercent":9223372036854775807}"#),
            ("environment", #""\#(String(repeating: "e", count: 5_000))""#), ("moduleName", #""\#(String(repeating: "m", count: 100_000))""#),
            ("nodeTimeoutSeconds", "9223372036854775808"), ("nodeTimeoutSeconds", "-1"), ("progressDeadlineSeconds", "9223372036854775807"),
            ("autoRollback", #""yes""#), ("runtime", #""Teleport""#), ("env", #"{"K":"a\u0000b"}"#), ("config", "[]"), ("failureThreshold", "1e400"),
        ]
        for (field, value) in wrongTypes { bodies.append(deploymentBody(f, replacing: field, with: value)) }
        return bodies
    }

    static func nodeBodies() -> [String] {
        func registration(_ field: String, _ value: String) -> String {
            var fields: [(String, String)] = [
                ("nodeId", #""fresh-1""#), ("region", #""us-east""#), ("zone", #""us-east-1a""#), ("labels", #"{"tier":"edge"}"#),
                ("runtime", #""Wasmtime""#), ("runtimeVersion", #""15.0.0""#),
                ("capabilities", #"{"componentModel":true,"wasiPreviews":["preview1"]}"#),
                ("maxModules", "1000"), ("hardware", #"{"cpuCores":8,"totalMemoryMB":16384,"architecture":"x86_64"}"#),
            ]
            if let index = fields.firstIndex(where: { $0.0 == field }) { fields[index].1 = value } else { fields.append((field, value)) }
            return "{" + fields.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",") + "}"
        }
        var bodies: [String] = []
        for text in controlJunk {
            for field in ["nodeId", "region", "zone", "runtimeVersion"] { bodies.append(registration(field, text)) }
            bodies.append(registration("labels", #"{"tier":\#(text)}"#))
        }
        let values: [(String, String)] = [
            ("maxModules", "9223372036854775808"), ("maxModules", "-1"), ("maxModules", "1e400"), ("maxModules", #""many""#),
            ("hardware", #"{"cpuCores":-1,"totalMemoryMB":99999999999999999999,"architecture":"x86_64"}"#), ("runtime", #""Teleport""#),
            ("nodeId", #""\#(String(repeating: "n", count: 5_000))""#), ("nodeId", #""..""#), ("nodeId", #""a/b""#),
            ("labels", #"{"\#(String(repeating: "k", count: 5_000))":"v"}"#), ("labels", "[]"),
            ("labels", "{" + (0..<3_000).map { #""k\#($0)":"v""# }.joined(separator: ",") + "}"),
        ]
        for (field, value) in values { bodies.append(registration(field, value)) }
        return bodies
    }

    static func heartbeatBodies() -> [String] {
        func heartbeat(_ field: String, _ value: String) -> String {
            var fields: [(String, String)] = [
                ("cpuUsagePercent", "45.2"), ("memoryUsageMB", "8192"), ("modulesLoaded", "42"), ("agentVersion", #""0.1.0""#),
                ("inventory", "[]"), ("conditions", "[]"),
            ]
            if let index = fields.firstIndex(where: { $0.0 == field }) { fields[index].1 = value } else { fields.append((field, value)) }
            return "{" + fields.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",") + "}"
        }
        var bodies = controlJunk.map { heartbeat("agentVersion", $0) }
        let values: [(String, String)] = [
            ("cpuUsagePercent", "1e400"), ("cpuUsagePercent", "-1"), ("cpuUsagePercent", #""NaN""#), ("memoryUsageMB", "9223372036854775808"),
            ("modulesLoaded", "-9223372036854775809"), ("agentVersion", #""\#(String(repeating: "v", count: 5_000))""#),
            ("inventory", "[" + Array(repeating: #"{"name":"x","version":"1.0.0"}"#, count: 20_000).joined(separator: ",") + "]"),
            ("inventory", #"[{"name":"a\u0000","version":"1.0.0"}]"#), ("conditions", #"[{"type":"\r\n","status":"True"}]"#), ("conditions", "{}"),
        ]
        for (field, value) in values { bodies.append(heartbeat(field, value)) }
        return bodies
    }

    static func statusBodies(_ f: Fixture) -> [String] {
        func report(_ deployment: String, _ module: String = #""hello""#, _ version: String = #""1.0.0""#, _ state: String = #""Running""#) -> String
        {
            #"{"reports":[{"deploymentId":\#(deployment),"moduleName":\#(module),"moduleVersion":\#(version),"state":\#(state)}]}"#
        }
        var bodies = controlJunk.map { report($0) }
        bodies += controlJunk.map { report(#""\#(f.deployment)""#, $0) }
        bodies += [
            report(#""\#(f.deployment)""#, #""hello""#, #""1.0.0""#, #""Exploded""#), report("1"), report("null"),
            report(#""\#(String(repeating: "d", count: 5_000))""#),
            #"{"reports":[\#(Array(repeating: report(#""x""#).dropFirst(12).dropLast(2), count: 5_000).joined(separator: ","))]}"#,
            #"{"reports":{}}"#,
        ]
        return bodies
    }

    static func otherBodies() -> [(HTTPRequest.Method, String, CorpusRole, String)] {
        var bodies: [(HTTPRequest.Method, String, CorpusRole, String)] = []
        for text in controlJunk {
            bodies.append((.post, "/auth/tokens", .admin, #"{"subject":\#(text),"role":"viewer","ttlSeconds":60}"#))
            bodies.append((.post, "/enrollment-tokens", .admin, #"{"description":\#(text)}"#))
            bodies.append((.post, "/enrollment-tokens", .admin, #"{"labels":{"k":\#(text)}}"#))
            bodies.append((.post, "/enrollment-tokens", .admin, #"{"region":\#(text)}"#))
            bodies.append((.put, "/nodes/n1", .admin, #"{"region":\#(text)}"#))
            bodies.append((.put, "/nodes/n1", .admin, #"{"labels":{"tier":\#(text)}}"#))
            bodies.append((.post, "/deployments/{d}/reject", .admin, #"{"reason":\#(text)}"#))
        }
        bodies += [
            (.post, "/auth/tokens", .admin, #"{"subject":"bob","role":"superuser","ttlSeconds":60}"#),
            (.post, "/auth/tokens", .admin, #"{"subject":"bob","role":"viewer","ttlSeconds":9223372036854775808}"#),
            (.post, "/auth/tokens", .admin, #"{"subject":"bob","role":"viewer","ttlSeconds":-1}"#),
            (.post, "/auth/tokens", .admin, #"{"subject":"\#(String(repeating: "s", count: 5_000))","role":"viewer"}"#),
            (.post, "/enrollment-tokens", .admin, #"{"maxUses":9223372036854775808}"#),
            (.post, "/enrollment-tokens", .admin, #"{"maxUses":-1}"#),
            (.post, "/enrollment-tokens", .admin, #"{"expiresInSeconds":1e400}"#),
            (.post, "/enrollment-tokens", .admin, #"{"environment":"\u0000"}"#),
            (.post, "/enrollment-tokens", .admin, #"{"expiresInSeconds":9223372036854775807}"#),
            (.put, "/nodes/n1", .admin, #"{"isEnabled":"yes"}"#),
            (.put, "/nodes/n1", .admin, #"{"environment":"\r\n"}"#),
            (.put, "/nodes/n1", .admin, #"{"labels":[]}"#),
            (.post, "/modules", .deployer, #"{"name":"hello","version":"9.9.9","wasmBinary":"!!!not base64!!!"}"#),
            (.post, "/modules", .deployer, #"{"name":"a\u0000","version":"9.9.9","wasmBinary":"AGFzbQEAAAA="}"#),
            (.post, "/modules", .deployer, #"{"name":"hello","version":"99999999999999999999.0.0","wasmBinary":"AGFzbQEAAAA="}"#),
            (.post, "/modules", .deployer, #"{"name":"hello","version":"9.9.9","wasmBinary":"AGFzbQEAAAA=","description":"\u202E"}"#),
        ]
        return bodies
    }
}
