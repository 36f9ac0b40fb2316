import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat

/// Agents simulated over HTTP: they enroll, poll their desired state and
/// report each module `running` (or `failed` for nodes told to fail).
/// Shared by the HTTP and production-stack suites; unexpected answers throw.
public struct SimulatedFleet: Sendable {
    static let base = "/api/v1/wasm"
    let client: any TestClientProtocol
    /// Node id → credential.
    public let credentials: [String: String]

    /// An answer the simulated agent did not expect.
    public struct UnexpectedResponse: Error, CustomStringConvertible {
        public let description: String
    }

    static func expect(_ response: TestResponse, _ status: HTTPResponse.Status, _ what: String) throws {
        guard response.status == status else {
            throw UnexpectedResponse(description: "\(what): \(response.status.code) \(String(buffer: response.body))")
        }
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any] else {
            throw UnexpectedResponse(description: "not a JSON object: \(String(buffer: response.body))")
        }
        return object
    }

    /// Enrolls `ids` (region `eu`, zone `eu-1`, WASI preview 1 and 2, component model as given) into
    /// `environment`, with the trusted labels `labels` (JSON, default `tier=edge`) from the enrollment token.
    /// `heartbeat: false` leaves them without a first heartbeat (Offline).
    public static func enroll(
        _ client: any TestClientProtocol, admin: String, ids: [String], componentModel: Bool = true, region: String = "eu",
        environment: String = "production", labels: String = #"{"tier":"edge"}"#, heartbeat: Bool = true
    ) async throws -> SimulatedFleet {
        let token = try await client.execute(
            uri: base + "/enrollment-tokens", method: .post, headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"],
            body: ByteBuffer(string: #"{"maxUses":\#(ids.count + 1),"environment":"\#(environment)","labels":\#(labels)}"#)
        ) { response throws in
            try expect(response, .created, "enrollment token")
            guard let token = try json(response)["token"] as? String else { throw UnexpectedResponse(description: "no token") }
            return token
        }
        var credentials: [String: String] = [:]
        for id in ids {
            let body =
                #"{"nodeId":"\#(id)","region":"\#(region)","zone":"\#(region)-1","labels":{"tier":"edge"},"#
                + #""runtime":"wasmkit","runtimeVersion":"0.4.2","#
                + #""capabilities":{"componentModel":\#(componentModel),"wasiPreviews":["preview1","preview2"]},"maxModules":10,"#
                + #""hardware":{"cpuCores":2,"totalMemoryMB":2048,"architecture":"x86_64"}}"#
            credentials[id] = try await client.execute(
                uri: base + "/nodes", method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: ByteBuffer(string: body)
            ) { response throws in
                try expect(response, .created, "register \(id)")
                guard let credential = try json(response)["credential"] as? String else { throw UnexpectedResponse(description: "no credential") }
                return credential
            }
        }
        let fleet = SimulatedFleet(client: client, credentials: credentials)
        if heartbeat { for id in ids { try await fleet.heartbeat(id) } }
        return fleet
    }

    /// An admin moves every node of the fleet to `environment` (`PUT /nodes/{id}`).
    public func move(to environment: String, admin: String) async throws {
        for id in credentials.keys.sorted() {
            try await client.execute(
                uri: Self.base + "/nodes/\(id)", method: .put, headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"environment":"\#(environment)"}"#)
            ) { try Self.expect($0, .ok, "move \(id) to \(environment)") }
        }
    }

    public func heartbeat(_ id: String) async throws {
        try await client.execute(
            uri: Self.base + "/nodes/\(id)/heartbeat", method: .post, headers: headers(id, json: true),
            body: ByteBuffer(
                string: #"{"cpuUsagePercent":5,"memoryUsageMB":100,"modulesLoaded":0,"agentVersion":"sim","inventory":[],"conditions":[]}"#)
        ) { try Self.expect($0, .noContent, "heartbeat \(id)") }
    }

    /// The node's desired modules (name → module JSON).
    public func desired(_ id: String) async throws -> [String: [String: Any]] {
        try await client.execute(uri: Self.base + "/nodes/\(id)/desired-state", method: .get, headers: headers(id)) { response throws in
            try Self.expect(response, .ok, "desired state of \(id)")
            let modules = try Self.json(response)["modules"] as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: modules.map { ($0["name"] as? String ?? "", $0) })
        }
    }

    /// One round for every agent: read the desired state, report each module
    /// `running`, or `failed` on nodes in `failing`. Returns how many reports were sent.
    @discardableResult
    public func round(failing: Set<String> = [], silent: Set<String> = []) async throws -> Int {
        var sent = 0
        for id in credentials.keys.sorted() where !silent.contains(id) {
            let reports = try await desired(id).values.map { module -> String in
                let state = failing.contains(id) ? #""state":"failed","reason":"trap: unreachable""# : #""state":"running""#
                return #"{"deploymentId":"\#(module["deploymentId"] as? String ?? "")","module":"\#(module["name"] as? String ?? "")","#
                    + #""version":"\#(module["version"] as? String ?? "")","digest":"\#(module["digest"] as? String ?? "")",\#(state)}"#
            }
            guard !reports.isEmpty else { continue }
            try await client.execute(
                uri: Self.base + "/nodes/\(id)/status", method: .post, headers: headers(id, json: true),
                body: ByteBuffer(string: #"{"reports":[\#(reports.joined(separator: ","))]}"#)
            ) { try Self.expect($0, .noContent, "status of \(id)") }
            sent += reports.count
        }
        return sent
    }

    public func headers(_ id: String, json: Bool = false) -> HTTPFields {
        var fields: HTTPFields = [.authorization: "Bearer \(credentials[id] ?? "")"]
        if json { fields[.contentType] = "application/json" }
        return fields
    }
}
