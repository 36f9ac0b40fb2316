/// A module a node should run. Written by deployments; read by the agent's poll.
public struct DesiredModule: Sendable, Hashable, Codable {
    public var name: String
    public var version: String
    public var digest: ContentDigest
    /// The function to call (seed 000: `entrypoint`), e.g. `_start` or `handle`.
    public var entrypoint: String
    public var resources: ResourceLimits
    public var config: [String: String]
    /// The deployment that put it here, so status reports can be tied back.
    public var deploymentID: String?
    /// Environment variables for the instance (seed 000); absent when none.
    public var env: [String: String]?
    /// Instances per node (seed 000); absent means one.
    public var scaling: Scaling?
    /// The release this entry follows; `nil` for entries written before releases existed
    /// (the derivation leaves those alone until a release of the module selects the node).
    public var releaseID: String?
    /// How many times the deployment retried this node (`POST …/retry`); absent before the first retry.
    /// A retry changes the entry, so the agent's ETag changes and it applies the module again.
    public var attempt: Int?

    public init(
        name: String, version: String, digest: ContentDigest, entrypoint: String, resources: ResourceLimits,
        config: [String: String] = [:], deploymentID: String? = nil
    ) {
        self.name = name
        self.version = version
        self.digest = digest
        self.entrypoint = entrypoint
        self.resources = resources
        self.config = config
        self.deploymentID = deploymentID
    }
}

/// Seed 000's resource strings: memory `^[0-9]+Mi$`, CPU `^[0-9]+m$`.
public struct ResourceLimits: Sendable, Hashable, Codable {
    public var memory: String
    public var cpu: String

    public init(memory: String = "128Mi", cpu: String = "100m") {
        self.memory = memory
        self.cpu = cpu
    }

    public static func isMemory(_ text: String) -> Bool { hasUnit(text, "Mi") }
    public static func isCPU(_ text: String) -> Bool { hasUnit(text, "m") }

    private static func hasUnit(_ text: String, _ unit: String) -> Bool {
        guard text.hasSuffix(unit) else { return false }
        let digits = text.dropLast(unit.count)
        return (1...9).contains(digits.count) && digits.utf8.allSatisfy { (48...57).contains($0) } && digits.contains { $0 != "0" }
    }
}

/// A per-module progress report from an agent, tied to the deployment that caused it.
public struct ModuleStatusReport: Sendable, Hashable, Codable {
    public var deploymentID: String?
    public var module: String
    public var version: String
    public var digest: ContentDigest
    public var state: ModuleRunState
    /// Required for `failed`: why, in the agent's words (at most 1024 characters).
    public var reason: String?

    public init(deploymentID: String?, module: String, version: String, digest: ContentDigest, state: ModuleRunState, reason: String?) {
        self.deploymentID = deploymentID
        self.module = module
        self.version = version
        self.digest = digest
        self.state = state
        self.reason = reason
    }

    public static func problem(_ report: ModuleStatusReport) -> String? {
        if ModuleName(report.module) == nil { return "'module' must be a module name" }
        if SemanticVersion(report.version) == nil { return "'version' must be a semantic version" }
        if let id = report.deploymentID, !NodeSpecRules.isToken(id, max: 64) {
            return "'deploymentId' must be 1–64 letters, digits, '.', '_' or '-'"
        }
        if let reason = report.reason, !TextRules.isFreeText(reason, maxBytes: 1024) {
            return "'reason' is at most 1024 bytes, without control characters"
        }
        if report.state == .failed && (report.reason ?? "").isEmpty { return "a 'failed' report needs a 'reason'" }
        return nil
    }
}

/// A stored status report, with when it arrived.
public struct RecordedModuleStatus: Sendable, Hashable, Codable {
    public var report: ModuleStatusReport
    public var reportedAt: Double

    public init(report: ModuleStatusReport, reportedAt: Double) {
        self.report = report
        self.reportedAt = reportedAt
    }
}
