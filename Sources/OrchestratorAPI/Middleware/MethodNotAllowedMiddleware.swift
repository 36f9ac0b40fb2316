import Hummingbird

/// Answers `405 Method Not Allowed` (problem+json, with `Allow`) when a request
/// names a known path with a method that path does not declare.
///
/// Hummingbird's router answers 404 both for an unknown path and for an unknown
/// method on a known path. This middleware turns the second case into 405: on a
/// 404 it looks the path up in ``DeclaredRoutes`` and, if the path is declared
/// but the method is not, answers 405 naming the declared methods. A 404 for a
/// declared method (an unknown id) passes through unchanged.
///
/// Decision: the table comes from the served OpenAPI document (the contract the
/// fuzzer checks), because Hummingbird 2.28 does not expose its route trie.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = OrchestratorRequestContext
    let routes: DeclaredRoutes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            guard response.status == .notFound, let allow = routes.methodsNotAllowing(request.method, path: request.uri.path) else {
                return response
            }
            throw Self.error(allow: allow, method: request.method)
        } catch let error as any HTTPResponseError where error.status == .notFound {
            guard let allow = routes.methodsNotAllowing(request.method, path: request.uri.path) else { throw error }
            throw Self.error(allow: allow, method: request.method)
        }
    }

    static func error(allow: [String], method: HTTPRequest.Method) -> APIError {
        var headers = HTTPFields()
        headers[.allow] = allow.joined(separator: ", ")
        return APIError(
            status: .methodNotAllowed, slug: "method-not-allowed",
            detail: "method \(method.rawValue) is not allowed here; allowed: \(allow.joined(separator: ", "))", headers: headers)
    }
}

/// Path templates and their methods, read from the `paths` section of an OpenAPI document.
struct DeclaredRoutes: Sendable {
    private let entries: [(segments: [Substring], methods: [String])]

    private static let methodNames = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// Reads `paths:` keys (two-space indent, starting with `/`) and their method keys (four-space indent).
    init(openAPIDocument: String) {
        var entries: [(segments: [Substring], methods: [String])] = []
        var inPaths = false
        for line in openAPIDocument.split(separator: "\n", omittingEmptySubsequences: true) {
            if !line.hasPrefix(" ") {
                inPaths = line.hasPrefix("paths:")
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                let path = line.dropFirst(2).dropLast()
                entries.append((path.split(separator: "/"), []))
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), var last = entries.popLast() {
                let key = line.dropFirst(4).prefix { $0 != ":" }
                if Self.methodNames.contains(String(key)) { last.methods.append(key.uppercased()) }
                entries.append(last)
            }
        }
        self.entries = entries
    }

    /// The declared methods of the most specific template matching `path` (most literal
    /// segments), when no matching template declares `method`; else nil (not a 405 case).
    func methodsNotAllowing(_ method: HTTPRequest.Method, path: String) -> [String]? {
        let segments = path.split(separator: "/")
        let matching = entries.filter { Self.matches($0.segments, segments) }
        guard !matching.isEmpty, !matching.contains(where: { $0.methods.contains(method.rawValue) }) else { return nil }
        let best = matching.max { Self.literalCount($0.segments) < Self.literalCount($1.segments) }!
        return best.methods.isEmpty ? nil : best.methods
    }

    private static func literalCount(_ template: [Substring]) -> Int {
        template.filter { !$0.hasPrefix("{") }.count
    }

    private static func matches(_ template: [Substring], _ segments: [Substring]) -> Bool {
        guard template.count == segments.count else { return false }
        return zip(template, segments).allSatisfy { t, s in (t.hasPrefix("{") && t.hasSuffix("}")) || t == s }
    }
}
