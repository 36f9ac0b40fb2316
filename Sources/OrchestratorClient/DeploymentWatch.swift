import Foundation
import NIOHTTP1

/// Follows a deployment until it reaches a final status, drawing each change.
///
/// Polls `GET /deployments/{id}` every `interval` with `If-None-Match` (304 while the revision is unchanged, so an
/// idle poll costs one small answer) and reads the target nodes only when the deployment changed. Every tenth poll
/// reads everything again, whatever the ETag says. The event stream (`GET /events`) would push instead; polling works
/// against every server version.
public struct DeploymentWatch: Sendable {
    /// How each change is shown.
    public enum Style: Sendable {
        /// Clear the screen and draw the whole view (a terminal).
        case redraw
        /// One line per change (a pipe or a file).
        case lines
        /// The deployment's JSON, one document per line, per change (`-o json`).
        case json
    }

    let client: APIClient
    let id: String
    let interval: Duration
    let style: Style
    let terminal: Terminal

    public init(client: APIClient, id: String, interval: Duration = .seconds(2), style: Style, terminal: Terminal = Terminal()) {
        self.client = client
        self.id = id
        self.interval = interval
        self.style = style
        self.terminal = terminal
    }

    /// Watches until the deployment is final and returns the last snapshot.
    public func run() async throws -> DeploymentSnapshot {
        var etag: String?
        var shown: String?
        var poll = 0
        var snapshot: DeploymentSnapshot?
        while true {
            let conditional = poll % 10 == 0 ? nil : etag
            let response = try await client.send(
                .GET, "/deployments/\(APIClient.encode(id))", headers: conditional.map { [("If-None-Match", $0)] } ?? [])
            if response.status == 200 {
                etag = response.headers.first(name: "ETag")
                // Only the redrawn view shows cohorts; the line and JSON views need no node rows.
                let nodes = style == .redraw ? try await client.allNodes(ofDeployment: id) : []
                let current = DeploymentSnapshot(deployment: try response.json(), nodes: nodes)
                snapshot = current
                shown = draw(current, body: response.body, after: shown)
            }
            if let snapshot, snapshot.isFinal { return snapshot }
            poll += 1
            try await Task.sleep(for: interval)
        }
    }

    /// Draws `snapshot` if it differs from what was shown last; returns what is shown now.
    func draw(_ snapshot: DeploymentSnapshot, body: Data, after shown: String?) -> String {
        switch style {
        case .redraw:
            let frame = snapshot.frame()
            if frame != shown { terminal.out("\u{1B}[H\u{1B}[2J" + frame) }
            return frame
        case .lines:
            let line = snapshot.line
            if line != shown { terminal.out("\(Self.clock()) \(line)\n") }
            return line
        case .json:
            // The server's answer as it came (one line: the API answers compact JSON).
            let line = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if line != shown { terminal.out(line + "\n") }
            return line
        }
    }

    static func clock() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date())
    }
}

extension APIClient {
    /// Every target node of a deployment, following `nextCursor` (200 a page, at most 100 pages).
    public func allNodes(ofDeployment id: String) async throws -> [JSONValue] {
        var nodes: [JSONValue] = []
        var cursor: String?
        for _ in 0..<100 {
            let page = try await send(.GET, "/deployments/\(Self.encode(id))/nodes", query: [("limit", "200"), ("cursor", cursor)]).json()
            nodes += page["nodes"]?.arrayValue ?? []
            cursor = page["nextCursor"]?.stringValue
            if cursor == nil { break }
        }
        return nodes
    }
}
