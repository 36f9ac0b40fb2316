import Foundation

/// Why a client command failed; each case has its documented exit code (docs/cli.md).
public enum ClientError: Error, Equatable {
    /// The server answered with an error status; `problem` is its problem document (or what could be read of it).
    case refused(status: Int, problem: Problem)
    /// The server could not be reached, or the connection broke.
    case unreachable(String)
    /// No address or token is configured.
    case notLoggedIn(String)
    /// The command line or an input file is unusable.
    case usage(String)
    /// A watched deployment ended in a status other than `Completed`.
    case unsuccessful(status: String, reason: String?)

    /// The process exit code for this error.
    public var exitCode: Int32 {
        switch self {
        case .refused(let status, _) where status == 401 || status == 403: return ClientExitCode.notAuthorized
        case .refused(let status, _) where status >= 500: return ClientExitCode.unavailable
        case .refused: return ClientExitCode.refused
        case .unreachable: return ClientExitCode.unavailable
        case .notLoggedIn: return ClientExitCode.notAuthorized
        case .usage: return ClientExitCode.usage
        case .unsuccessful: return ClientExitCode.unsuccessful
        }
    }

    /// What goes to standard error: for a refusal, the problem's `title` and `detail`, then its `type` and request id.
    /// Text from the server is made ``TerminalText/printable(_:)``.
    public var message: String {
        let safe = TerminalText.printable
        switch self {
        case .refused(let status, let problem):
            var text = "\(problem.title.map(safe) ?? "HTTP \(status)") (\(status))"
            if let detail = problem.detail { text += ": \(safe(detail))" }
            let extras = [problem.type.map { "type \(safe($0))" }, problem.instance.map { "request \(safe($0))" }].compactMap { $0 }
            if !extras.isEmpty { text += "\n  " + extras.joined(separator: ", ") }
            return text
        case .unreachable(let reason): return "cannot reach the server: \(reason)"
        case .notLoggedIn(let reason): return reason
        case .usage(let reason): return reason
        case .unsuccessful(let status, let reason): return "the deployment ended \(safe(status))" + (reason.map { ": \(safe($0))" } ?? "")
        }
    }
}

/// The exit codes of the client commands (the server commands keep theirs: 1, 64 and 78).
public enum ClientExitCode {
    public static let ok: Int32 = 0
    /// The server refused the request (a 4xx other than 401 and 403).
    public static let refused: Int32 = 1
    /// Not authenticated (no token, or 401) or not authorized (403).
    public static let notAuthorized: Int32 = 3
    /// The server is unreachable, or answered 5xx (503: a dependency is down).
    public static let unavailable: Int32 = 4
    /// `deploy status --watch`: the deployment ended `Failed`, `RolledBack`, `Cancelled` or `Rejected`.
    public static let unsuccessful: Int32 = 5
    /// Bad usage, as swift-argument-parser reports it (EX_USAGE).
    public static let usage: Int32 = 64
}

/// An RFC 9457 problem document, as far as the client uses it.
public struct Problem: Sendable, Equatable, Decodable {
    public var type: String?
    public var title: String?
    public var detail: String?
    public var instance: String?

    public init(type: String? = nil, title: String? = nil, detail: String? = nil, instance: String? = nil) {
        self.type = type
        self.title = title
        self.detail = detail
        self.instance = instance
    }

    /// Reads a problem body; a body that is not one (a proxy's HTML page) becomes a detail of at most 200 characters.
    public static func from(body: Data, status: Int) -> Problem {
        if let problem = try? JSONDecoder().decode(Problem.self, from: body), problem.title != nil || problem.detail != nil {
            return problem
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Problem(title: "HTTP \(status)", detail: text.isEmpty ? nil : text)
    }
}
