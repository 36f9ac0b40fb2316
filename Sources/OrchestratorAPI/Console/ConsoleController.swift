import HTTPTypes
import Hummingbird

/// `/console/…`: the web console's static shell (HTML, CSS, JavaScript modules compiled into the binary).
///
/// Public like a sign-in page: the files hold no data and need no token; every piece of data the console shows
/// comes from an authenticated API call made by its scripts (see `docs/console.md` and `docs/security.md`).
/// Outside the API group, so neither the bearer authentication nor the rate limits apply; the files are served
/// from memory. Every answer carries ``securityHeaders``; files revalidate with their `ETag` (`304`).
struct ConsoleController {
    let assets: ConsoleAssets

    /// Scripts and styles only from this origin (no inline script), API calls only to it, no framing, no forms, no `<base>`.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static var securityHeaders: HTTPFields {
        var headers = HTTPFields()
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return headers
    }

    var endpoints: RouteCollection<OrchestratorRequestContext> {
        let routes = RouteCollection(context: OrchestratorRequestContext.self)
        guard !assets.isEmpty else { return routes }
        // The router ignores a trailing slash, so `/console` and `/console/` both land here.
        routes.get("/console") { request, _ in
            guard request.uri.path.hasSuffix("/") else {
                var headers = Self.securityHeaders
                headers[.location] = "/console/"
                return Response(status: .movedPermanently, headers: headers)
            }
            return try serve("index.html", request)
        }
        routes.get("/console/**") { request, context in
            try serve(context.parameters.getCatchAll().joined(separator: "/"), request)
        }
        return routes
    }

    private func serve(_ path: String, _ request: Request) throws -> Response {
        guard let asset = assets.asset(path) else {
            throw APIError(
                status: .notFound, slug: "not-found", detail: "the console has no file '\(String(path.prefix(128)))'", headers: Self.securityHeaders)
        }
        var headers = Self.securityHeaders
        headers[.eTag] = asset.etag
        // Names are not fingerprinted (no build step), so a browser revalidates every time; the ETag makes that a 304.
        headers[.cacheControl] = "no-cache"
        if request.ifNoneMatch(asset.etag) { return Response(status: .notModified, headers: headers) }
        headers[.contentType] = asset.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }
}
