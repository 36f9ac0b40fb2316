import EdgeFleet
import HTTPTypes
import Hummingbird
import Operations
import OrchestratorDomain

/// Per-source-address limit, placed **before** bearer authentication.
///
/// Requests no principal vouches for are charged to their source address's
/// `enrollment` bucket: a bearer that is an enrollment token (`wet_…`) is charged
/// up front, any other request is charged when it is answered 401. While that
/// bucket is empty, every request from the address is refused with 429 before its
/// token is parsed or verified, so a flood of bad tokens costs a bucket look-up each.
/// Requests that authenticate are not charged here (an address may front a whole
/// fleet behind NAT); their principal's bucket limits them instead.
public struct AddressRateLimitMiddleware: RouterMiddleware {
    public typealias Context = OrchestratorRequestContext
    let limiter: RateLimiter?
    let refusals: RateLimitRefusals

    /// - Parameters:
    ///   - limiter: `nil` when rate limiting is off.
    ///   - refusals: counts the 429s.
    init(limiter: RateLimiter?, refusals: RateLimitRefusals) {
        self.limiter = limiter
        self.refusals = refusals
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let limiter, let policy = limiter.policy(.enrollment) else { return try await next(request, context) }
        let key = RateLimitKey.address(context.sourceAddress ?? "unknown")
        let presentsEnrollmentToken = Self.presentsEnrollmentToken(request)
        let decision = await limiter.take(key, cost: presentsEnrollmentToken ? 1 : 0, policy: policy)
        guard decision.allowed else { throw RateLimitFields.tooManyRequests(.enrollment, policy, decision, counting: refusals) }
        do {
            var response = try await next(request, context)
            if presentsEnrollmentToken { RateLimitFields.add(to: &response.headers, .enrollment, policy, decision) }
            return response
        } catch {
            guard !presentsEnrollmentToken, ErrorTranslation.translate(error).0.status == .unauthorized else { throw error }
            _ = await limiter.take(key, cost: 1, policy: policy)
            throw error
        }
    }

    /// `Authorization: Bearer wet_…`, judged from the text alone (nothing is looked up).
    static func presentsEnrollmentToken(_ request: Request) -> Bool {
        guard let header = request.headers[.authorization], header.utf8.count > 7 else { return false }
        return header.prefix(7).lowercased() == "bearer " && header.dropFirst(7).drop(while: { $0 == " " }).hasPrefix(Secrets.enrollmentPrefix)
    }
}

/// Per-principal limit, placed **after** bearer authentication.
///
/// Charges one token to the caller's bucket of the route's class: people and CI
/// identities per subject and role, node credentials per node (`agent` class).
/// Successful and refused answers both carry `RateLimit-Policy` and `RateLimit`, so
/// well-behaved clients can pace themselves; a refusal is 429 with `Retry-After`.
public struct PrincipalRateLimitMiddleware: RouterMiddleware {
    public typealias Context = OrchestratorRequestContext
    let limiter: RateLimiter?
    let refusals: RateLimitRefusals

    /// - Parameters:
    ///   - limiter: `nil` when rate limiting is off.
    ///   - refusals: counts the 429s.
    init(limiter: RateLimiter?, refusals: RateLimitRefusals) {
        self.limiter = limiter
        self.refusals = refusals
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let limiter, let principal = context.principal else { return try await next(request, context) }
        let key = RateLimitKey.principal(principal, limitClass: RouteRateLimitClass.of(request))
        guard let policy = limiter.policy(key.limitClass) else { return try await next(request, context) }
        let decision = await limiter.take(key, cost: 1, policy: policy)
        guard decision.allowed else { throw RateLimitFields.tooManyRequests(key.limitClass, policy, decision, counting: refusals) }
        do {
            var response = try await next(request, context)
            RateLimitFields.add(to: &response.headers, key.limitClass, policy, decision)
            return response
        } catch {
            // 4xx refusals carry the fields too; 5xx pass on untouched, so they are logged with their cause.
            let (apiError, unexpected) = ErrorTranslation.translate(error)
            guard !unexpected, apiError.status.code < 500 else { throw error }
            var headers = apiError.headers
            RateLimitFields.add(to: &headers, key.limitClass, policy, decision)
            throw APIError(status: apiError.status, slug: apiError.slug, detail: apiError.detail, headers: headers)
        }
    }
}

/// Which class a person's or CI identity's request belongs to, by method and path.
enum RouteRateLimitClass {
    static func of(_ request: Request) -> RateLimitClass {
        let method = request.method
        guard ![.get, .head, .options].contains(method) else { return .reads }
        var path = Substring(request.uri.path)
        if path.hasPrefix("/api/v1/wasm/") { path = path.dropFirst("/api/v1/wasm/".count) }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        switch (method, segments.first) {
        case (.post, "modules") where segments.count == 1,
            (.put, "modules") where segments.count == 4 && segments[2] == "versions":
            return .moduleRegistration
        case (.post, "deployments") where segments.count <= 3:
            return .moduleExecution
        default:
            return .writes
        }
    }
}
