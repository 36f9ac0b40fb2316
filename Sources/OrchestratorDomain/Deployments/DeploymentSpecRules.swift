/// Bounds and shape rules for a ``DeploymentSpec``; pure, so every rule is unit tested.
public enum DeploymentSpecRules {
    public static let maxTargetTerms = 1000
    public static let maxEnvEntries = 64
    public static let maxCanarySteps = 10

    /// The first problem with `spec`, in words a user can act on; `nil` when valid.
    /// The priorities a release may have (``ReleaseConflictRule``).
    public static let priorityRange = -1000...1000

    public static func problem(_ spec: DeploymentSpec, environments: Set<String>) -> String? {
        if ModuleName(spec.moduleName) == nil { return "'moduleName' is not a module name" }
        if SemanticVersion(spec.moduleVersion) == nil { return "'moduleVersion' must be a semantic version" }
        if let priority = spec.priority, !priorityRange.contains(priority) {
            return "'priority' must be between \(priorityRange.lowerBound) and \(priorityRange.upperBound)"
        }
        if let release = spec.releaseID, !(1...64).contains(release.utf8.count) || TextRules.containsForbidden(release) {
            return "'releaseId' must be a release id"
        }
        if !environments.contains(spec.environment) {
            return "'environment' must be one of: \(environments.sorted().joined(separator: ", "))"
        }
        if let problem = targetProblem(spec.target) { return problem }
        if let problem = functionProblem(spec.function) { return problem }
        if let problem = strategyProblem(spec.strategy) { return problem }
        let policy = spec.failurePolicy
        switch policy.threshold {
        case .count(let n) where n < 0 || n > 100_000: return "'failureThreshold' count must be 0–100000"
        case .percent(let p) where p < 0 || p > 100: return "'failureThreshold' percentage must be 0–100"
        default: break
        }
        if !(5...86_400).contains(policy.nodeTimeoutSeconds) { return "'nodeTimeoutSeconds' must be 5–86400" }
        if !(5...604_800).contains(policy.progressDeadlineSeconds) { return "'progressDeadlineSeconds' must be 5–604800" }
        if let description = spec.description, !TextRules.isFreeText(description, maxBytes: 1024) {
            return "'description' is at most 1024 bytes, without control characters"
        }
        return nil
    }

    static func targetProblem(_ target: DeploymentTarget) -> String? {
        if target.nodeIds.isEmpty && !target.hasFilter {
            return "'target' needs 'nodeIds', 'regions', 'zones' or 'labels'"
        }
        if target.nodeIds.count + target.regions.count + target.zones.count > maxTargetTerms {
            return "'target' lists at most \(maxTargetTerms) ids, regions and zones"
        }
        if let bad = target.nodeIds.first(where: { NodeID($0) == nil }) { return "'target.nodeIds' has an invalid node id '\(bad.prefix(64))'" }
        if let bad = (target.regions + target.zones).first(where: { !NodeSpecRules.isToken($0, max: 64) }) {
            return "'target' has an invalid region or zone '\(bad.prefix(64))'"
        }
        if target.labels.count > NodeSpecRules.maxLabels
            || !target.labels.allSatisfy({ NodeSpecRules.isLabelKey($0.key) && NodeSpecRules.isLabelValue($0.value) })
        {
            return "'target.labels' must be at most \(NodeSpecRules.maxLabels) valid key/value pairs"
        }
        return nil
    }

    static func functionProblem(_ function: FunctionConfig) -> String? {
        if !isEntrypoint(function.entrypoint) { return "'entrypoint' must be 1–128 characters without control characters" }
        if !ResourceLimits.isMemory(function.resources.memory) { return "'resources.memory' must match ^[0-9]+Mi$, e.g. 128Mi" }
        if !ResourceLimits.isCPU(function.resources.cpu) { return "'resources.cpu' must match ^[0-9]+m$, e.g. 100m" }
        for (name, map) in [("env", function.env), ("config", function.config)] {
            if map.count > maxEnvEntries { return "'\(name)' has at most \(maxEnvEntries) entries" }
            if map.contains(where: {
                $0.key.isEmpty || !TextRules.isFreeText($0.key, maxBytes: 128) || !TextRules.isDocumentValue($0.value, maxBytes: 4096)
            }) {
                return "'\(name)' keys are 1–128 bytes and values at most 4096 bytes, without control characters (values may hold tab, CR and LF)"
            }
        }
        let scaling = function.scaling
        if !(0...1000).contains(scaling.minInstances) || !(1...1000).contains(scaling.maxInstances) || scaling.minInstances > scaling.maxInstances {
            return "'scaling' needs 0 ≤ minInstances ≤ maxInstances ≤ 1000 and maxInstances ≥ 1"
        }
        return nil
    }

    static func strategyProblem(_ strategy: RolloutStrategy) -> String? {
        switch strategy.pause {
        case .seconds(let s) where !(1...86_400).contains(s): return "'strategy.pause' must be 1s–24h or 'manual'"
        default: break
        }
        if let waves = strategy.waves, let problem = RolloutWaves.problem(waves) { return problem }
        switch strategy {
        case .allAtOnce:
            return nil
        case .rolling(.count(let n), _, _):
            return (1...100_000).contains(n) ? nil : "'strategy.batchSize' must be 1–100000"
        case .rolling(.percent(let p), _, _):
            return (1...100).contains(p) ? nil : "'strategy.batchPercent' must be 1–100"
        case .canary(let steps, _, _):
            if steps.isEmpty || steps.count > maxCanarySteps { return "'strategy.steps' needs 1–\(maxCanarySteps) percentages" }
            if !steps.allSatisfy({ (1...100).contains($0) }) { return "'strategy.steps' are percentages 1–100" }
            if zip(steps, steps.dropFirst()).contains(where: { $0 >= $1 }) { return "'strategy.steps' must increase, e.g. [5, 25, 100]" }
            return nil
        }
    }

    public static func isEntrypoint(_ text: String) -> Bool {
        (1...128).contains(text.utf8.count) && !TextRules.containsForbidden(text)
    }
}
