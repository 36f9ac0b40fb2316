/// One heartbeat from an agent (seed 004's health fields plus inventory).
public struct Heartbeat: Sendable, Hashable, Codable {
    public var cpuUsagePercent: Double
    public var memoryUsageMB: Double
    public var modulesLoaded: Int
    public var inventory: [InventoryItem]
    public var agentVersion: String?
    public var conditions: [NodeCondition]

    public init(
        cpuUsagePercent: Double, memoryUsageMB: Double, modulesLoaded: Int, inventory: [InventoryItem] = [],
        agentVersion: String? = nil, conditions: [NodeCondition] = []
    ) {
        self.cpuUsagePercent = cpuUsagePercent
        self.memoryUsageMB = memoryUsageMB
        self.modulesLoaded = modulesLoaded
        self.inventory = inventory
        self.agentVersion = agentVersion
        self.conditions = conditions
    }
}

extension Heartbeat {
    enum CodingKeys: String, CodingKey {
        case cpuUsagePercent, memoryUsageMB, modulesLoaded, inventory, agentVersion, conditions
    }

    /// Seed 004's three numbers are required; `inventory`, `conditions` and `agentVersion` may be left out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            cpuUsagePercent: try container.decode(Double.self, forKey: .cpuUsagePercent),
            memoryUsageMB: try container.decode(Double.self, forKey: .memoryUsageMB),
            modulesLoaded: try container.decode(Int.self, forKey: .modulesLoaded),
            inventory: try container.decodeIfPresent([InventoryItem].self, forKey: .inventory) ?? [],
            agentVersion: try container.decodeIfPresent(String.self, forKey: .agentVersion),
            conditions: try container.decodeIfPresent([NodeCondition].self, forKey: .conditions) ?? [])
    }
}

/// A module an agent holds, and in what state.
public struct InventoryItem: Sendable, Hashable, Codable {
    public var module: String
    public var version: String?
    public var digest: ContentDigest
    public var state: ModuleRunState

    public init(module: String, version: String?, digest: ContentDigest, state: ModuleRunState) {
        self.module = module
        self.version = version
        self.digest = digest
        self.state = state
    }
}

/// Where a module is on a node. Also the states of a status report.
public enum ModuleRunState: String, Sendable, Hashable, Codable, CaseIterable {
    case downloading, verifying, starting, running, stopped, failed
}

/// Bounds on untrusted heartbeat input.
public enum HeartbeatRules {
    public static let maxInventory = 1000
    public static let maxConditions = 32

    /// The first problem, in words an agent developer can act on; `nil` when valid.
    public static func problem(_ heartbeat: Heartbeat) -> String? {
        if !heartbeat.cpuUsagePercent.isFinite || !(0...100).contains(heartbeat.cpuUsagePercent) {
            return "'cpuUsagePercent' must be a number from 0 to 100"
        }
        if !heartbeat.memoryUsageMB.isFinite || !(0...67_108_864).contains(heartbeat.memoryUsageMB) {
            return "'memoryUsageMB' must be a number from 0 to 67108864"
        }
        if !(0...100_000).contains(heartbeat.modulesLoaded) { return "'modulesLoaded' must be an integer from 0 to 100000" }
        if heartbeat.inventory.count > maxInventory { return "'inventory' has at most \(maxInventory) entries" }
        if heartbeat.conditions.count > maxConditions { return "'conditions' has at most \(maxConditions) entries" }
        if let version = heartbeat.agentVersion, version.isEmpty || !TextRules.isFreeText(version, maxBytes: 64) {
            return "'agentVersion' must be 1–64 characters without control characters"
        }
        if heartbeat.inventory.contains(where: { ModuleName($0.module) == nil || ($0.version.map { SemanticVersion($0) == nil } ?? false) }) {
            return "every inventory 'module' must be a module name and 'version' a semantic version"
        }
        if heartbeat.conditions.contains(where: {
            !NodeSpecRules.isToken($0.type, max: 64) || !TextRules.isFreeText($0.reason ?? "", maxBytes: 128)
                || !TextRules.isFreeText($0.message ?? "", maxBytes: 512)
        }) {
            return
                "every condition needs a 'type' of 1–64 letters, digits, '.', '_' or '-'; "
                + "'reason' ≤ 128 and 'message' ≤ 512 bytes, without control characters"
        }
        return nil
    }
}
