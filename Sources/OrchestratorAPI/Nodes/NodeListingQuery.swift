import Hummingbird
import OrchestratorDomain

/// `GET /nodes` filters: `environment`, `region`, `zone`, `selector` (`key=value,…`),
/// `health`, `enabled`, `admission`, `drifted`, plus `limit` and `cursor`.
struct NodeListingQuery {
    let nodeQuery: NodeQuery
    /// `drifted=true|false`: only nodes that are (or are not) drifted.
    let drifted: Bool?

    init(_ request: Request) throws {
        let listing = try ListingQuery(request, moduleFilters: false)
        let query = request.uri.queryParameters
        var nodeQuery = NodeQuery(limit: listing.limit)
        nodeQuery.afterID = try listing.decodeCursor(tag: "n")
        nodeQuery.environment = try request.textFilter("environment", max: 64)
        nodeQuery.region = try request.textFilter("region", max: 64)
        nodeQuery.zone = try request.textFilter("zone", max: 64)
        if let selector = query.get("selector") ?? query.get("labelSelector") {
            guard let labels = LabelSelector.parse(String(selector)) else {
                throw APIError.badRequest(detail: "'selector' must be key=value terms separated by commas")
            }
            nodeQuery.labels = labels
        }
        if let text = query.get("health") {
            guard let health = NodeHealth.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
                throw APIError.badRequest(detail: "'health' must be one of Healthy, Degraded, Unhealthy, Offline")
            }
            nodeQuery.health = health
        }
        if let text = query.get("enabled") {
            guard text == "true" || text == "false" else { throw APIError.badRequest(detail: "'enabled' must be true or false") }
            nodeQuery.isEnabled = text == "true"
        }
        if let text = query.get("admission") {
            guard let admission = AdmissionState(rawValue: String(text)) else {
                throw APIError.badRequest(detail: "'admission' must be one of pending, accepted, rejected")
            }
            nodeQuery.admission = admission
        }
        self.nodeQuery = nodeQuery
        switch query.get("drifted") {
        case nil: drifted = nil
        case "true": drifted = true
        case "false": drifted = false
        default: throw APIError.badRequest(detail: "'drifted' must be true or false")
        }
    }
}
