import Hummingbird

/// An item of a listing, named the way its list body names the array.
///
/// Seed 004 reads `GET /nodes` as `jq '.nodes[] | select(.region=="us-east")'`: a list body
/// holds its items under the resource's plural noun, never a generic `items`.
protocol ListedResource: Encodable {
    /// The key of the array in a list body (`nodes`, `modules`, …), beside `nextCursor`.
    static var listKey: String { get }
}

/// A page of a listing: the items under `Item.listKey`, plus `nextCursor` (absent on the last page),
/// e.g. `{"nodes": [...], "nextCursor": "bjpl..."}`.
///
/// The key comes from the item type, so every endpoint listing the same representation names it
/// alike, and a new listed type does not compile until it says how its list is called.
struct ListBody<Item: ListedResource & Sendable>: ResponseEncodable {
    let items: [Item]
    let nextCursor: String?

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(items, forKey: Key(stringValue: Item.listKey))
        try container.encodeIfPresent(nextCursor, forKey: Key(stringValue: "nextCursor"))
    }
}

// The table of list keys; docs/api.md repeats it.

extension ModuleBody: ListedResource { static let listKey = "modules" }
extension ModuleVersionBody: ListedResource { static let listKey = "versions" }
extension NodeBody: ListedResource { static let listKey = "nodes" }
extension EnrollmentTokenBody: ListedResource { static let listKey = "tokens" }
extension HealthTransitionBody: ListedResource { static let listKey = "transitions" }
extension StatusReportBody: ListedResource { static let listKey = "statuses" }
extension DeploymentBody: ListedResource { static let listKey = "deployments" }
/// `GET /deployments/{id}/nodes`: the deployment's target nodes and their rollout state.
extension DeploymentNodeBody: ListedResource { static let listKey = "nodes" }
extension AuditEventBody: ListedResource { static let listKey = "events" }
extension ReleaseBody: ListedResource { static let listKey = "releases" }
