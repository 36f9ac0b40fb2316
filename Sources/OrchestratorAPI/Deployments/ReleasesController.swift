import Deployments
import Hummingbird
import OrchestratorDomain
import OrchestratorPorts  // ReleaseQuery

/// `/api/v1/wasm/releases`: what each selector's nodes run, read-only. Releases change only through deployments.
struct ReleasesController {
    let deployments: DeploymentService

    var endpoints: RouteCollection<OrchestratorRequestContext> {
        let group = RouteCollection(context: OrchestratorRequestContext.self)
        group.get("/releases", use: list)
        group.get("/releases/:id", use: get)
        return group
    }

    /// Newest first; filters `environment`, `moduleName`, `status` (`Active`, `Retired`); `limit` and `cursor`.
    @Sendable func list(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        try context.authorize(.readFleet)
        let listing = try ListingQuery(request, moduleFilters: false)
        var filter = ReleaseQuery(limit: listing.limit)
        if let text = request.uri.queryParameters.get("status") {
            guard let state = ReleaseState(rawValue: text) else {
                throw APIError.badRequest(detail: "'status' must be one of \(ReleaseState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.state = state
        }
        filter.moduleName = try request.textFilter("moduleName", max: 128)
        filter.environment = try request.textFilter("environment", max: 64)
        if let cursor = try listing.decodeCursor(tag: "r") {
            guard let position = Int64(cursor) else { throw APIError.badRequest(detail: "'cursor' is not valid for this listing") }
            filter.beforePosition = position
        }
        let page = try await deployments.releases(filter)
        let next = page.next.map { ListingQuery.encodeCursor(tag: "r", String($0)) }
        return try ListBody(items: page.items.map { ReleaseBody($0, view: nil) }, nextCursor: next).response(request: request, context: context)
    }

    @Sendable func get(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        try context.authorize(.readFleet)
        let view = try await deployments.release(try context.pathParameter("id"))
        return try ReleaseBody(view.release, view: view).response(from: request, context: context)
    }
}

/// A release: its selector, what its nodes run, the rollout changing it, and (one release read) where its nodes are.
struct ReleaseBody: ResponseEncodable {
    let id: String
    let environment: String
    let moduleName: String
    let status: String
    let priority: Int
    let revision: Int
    let target: CreateDeploymentRequest.TargetBody
    /// What the release's nodes run; absent before its first rollout completes and after retirement.
    let version: String?
    let digest: String?
    let deploymentId: String?
    let rollout: RolloutBody?
    let createdAt: String
    let updatedAt: String
    let convergence: ReleaseConvergence?
    let nodes: [FollowerBody]?

    struct RolloutBody: Encodable {
        let deploymentId: String
        /// Absent for a retirement.
        let version: String?
        let digest: String?
        /// `false` once the deployment stopped part-way (cancelled or failed): its dispatched nodes keep its version.
        let active: Bool
    }

    struct FollowerBody: Encodable {
        let nodeId: String
        let version: String?
    }

    init(_ release: ReleaseRecord, view: DeploymentService.ReleaseView?) {
        id = release.id
        environment = release.environment
        moduleName = release.moduleName
        status = release.state.rawValue
        priority = release.priority
        revision = release.revision
        target = .init(
            nodeIds: release.selector.nodeIds, regions: release.selector.regions, zones: release.selector.zones, labels: release.selector.labels,
            offlineNodes: nil)
        version = release.stable?.version
        digest = release.stable?.digest.description
        deploymentId = release.stableDeploymentID
        rollout = release.rollout.map {
            RolloutBody(deploymentId: $0.deploymentID, version: $0.module?.version, digest: $0.module?.digest.description, active: $0.isActive)
        }
        createdAt = RFC3339.format(release.createdAt)
        updatedAt = RFC3339.format(release.updatedAt)
        convergence = view?.convergence
        nodes = view?.followers.map { FollowerBody(nodeId: $0.node.value, version: $0.version) }
    }
}
