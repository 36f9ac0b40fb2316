import Deployments
import OrchestratorDomain

/// The body of `POST /api/v1/wasm/deployments` (flat, seed 000's function fields at the top level).
struct CreateDeploymentRequest: Decodable {
    let moduleName: String
    let moduleVersion: String
    /// Default `production`. Picks the approval policy and limits the targets
    /// to that environment's nodes, so declaring another one never reaches more nodes.
    let environment: String?
    let target: TargetBody
    let entrypoint: String?
    let runtime: String?
    let resources: ResourcesBody?
    let env: [String: String]?
    let config: [String: String]?
    let scaling: Scaling?
    let strategy: StrategyBody?
    let failureThreshold: ThresholdBody?
    let nodeTimeoutSeconds: Int?
    let progressDeadlineSeconds: Int?
    let autoRollback: Bool?
    let description: String?
    /// The release to change; absent: the release of this module, environment and target, or a new one.
    let releaseId: String?
    /// The release's priority (-1000…1000); absent keeps it (0 for a new release).
    let priority: Int?
    /// `true` retires the release instead of changing its version.
    let retire: Bool?

    struct TargetBody: Codable {
        let nodeIds: [String]?
        let regions: [String]?
        let zones: [String]?
        let labels: [String: String]?
        let offlineNodes: OfflineNodePolicy?
    }

    struct ResourcesBody: Codable {
        let memory: String?
        let cpu: String?
    }

    struct StrategyBody: Decodable {
        let type: String
        let batchSize: Int?
        let batchPercent: Int?
        let steps: [Int]?
        let pause: String?
        /// `region` or `zone`; rolling and canary only.
        let waves: String?
        let waveOrder: [String]?
    }

    /// `"10%"`, `"3"` or `3`.
    struct ThresholdBody: Decodable {
        let text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                text = String(number)
            } else {
                text = try container.decode(String.self)
            }
        }
    }

    /// The domain spec; defaults from settings and the environment's policy. Shape errors are 400.
    func spec(settings: DeploymentSettings) throws -> DeploymentSpec {
        let environment = self.environment ?? EnvironmentRules.defaultEnvironment
        var runtime: WasmRuntime?
        if let text = self.runtime {
            guard let value = WasmRuntime(rawValue: text) else {
                throw APIError.badRequest(detail: "'runtime' must be one of \(WasmRuntime.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            runtime = value
        }
        let function = FunctionConfig(
            entrypoint: entrypoint ?? DeploymentDefaults.entrypoint, runtime: runtime,
            resources: ResourceLimits(
                memory: resources?.memory ?? DeploymentDefaults.resources.memory, cpu: resources?.cpu ?? DeploymentDefaults.resources.cpu),
            env: env ?? [:], config: config ?? [:], scaling: scaling ?? Scaling())
        let target = DeploymentTarget(
            nodeIds: self.target.nodeIds ?? [], regions: self.target.regions ?? [], zones: self.target.zones ?? [],
            labels: self.target.labels ?? [:], offlineNodes: self.target.offlineNodes ?? DeploymentDefaults.offlineNodes)
        let policy = FailurePolicy(
            threshold: try failureThreshold.map { try Self.threshold($0.text) } ?? settings.defaultFailureThreshold,
            nodeTimeoutSeconds: nodeTimeoutSeconds ?? settings.defaultNodeTimeoutSeconds,
            progressDeadlineSeconds: progressDeadlineSeconds ?? settings.defaultProgressDeadlineSeconds,
            autoRollback: autoRollback ?? settings.policy(for: environment).autoRollbackByDefault)
        var spec = DeploymentSpec(
            moduleName: moduleName, moduleVersion: moduleVersion, target: target, environment: environment, function: function,
            strategy: try strategy.map(Self.strategy) ?? DeploymentDefaults.strategy, failurePolicy: policy, description: description)
        spec.releaseID = releaseId
        spec.priority = priority
        spec.retire = retire == true ? true : nil
        return spec
    }

    static func strategy(_ body: StrategyBody) throws -> RolloutStrategy {
        let pause: StepPause
        switch body.pause {
        case nil: pause = .none
        case "manual": pause = .manual
        case let text?:
            guard let seconds = DurationText.seconds(text) else {
                throw APIError.badRequest(detail: "'strategy.pause' must be a duration such as '30s' or 'manual'")
            }
            pause = .seconds(seconds)
        }
        let waves = try Self.waves(body)
        switch body.type {
        case "allAtOnce":
            return .allAtOnce
        case "rolling":
            switch (body.batchSize, body.batchPercent) {
            case (let size?, nil): return .rolling(batch: .count(size), pause: pause, waves: waves)
            case (nil, let percent?): return .rolling(batch: .percent(percent), pause: pause, waves: waves)
            default: throw APIError.badRequest(detail: "a rolling strategy needs exactly one of 'batchSize' and 'batchPercent'")
            }
        case "canary":
            guard let steps = body.steps else { throw APIError.badRequest(detail: "a canary strategy needs 'steps', e.g. [5, 25, 100]") }
            return .canary(steps: steps, pause: pause, waves: waves)
        default:
            throw APIError.badRequest(detail: "'strategy.type' must be 'allAtOnce', 'rolling' or 'canary'")
        }
    }

    static func threshold(_ text: String) throws -> FailureThreshold {
        if text.hasSuffix("%"), let percent = Int(text.dropLast()) { return .percent(percent) }
        if let count = Int(text) { return .count(count) }
        throw APIError.badRequest(detail: "'failureThreshold' must be a count such as 2 or a percentage such as \"10%\"")
    }
}

struct ApproveRequest: Decodable {
    let comment: String?
    let digest: String?
}

struct ReasonRequest: Decodable {
    let reason: String?
}

struct ExecuteRequest: Decodable {
    let approvedBy: String?
}
