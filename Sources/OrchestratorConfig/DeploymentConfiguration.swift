import Foundation
import OrchestratorDomain

/// Deployment workflow settings: environments with their approval policy,
/// the rollout engine's pace and rollout defaults; plus idempotency keys.
public struct DeploymentConfiguration: Sendable {
    /// `deployments.environments` — comma-separated names. Default `development,staging,production`.
    /// Per environment `E`: `deployments.E.requireApproval` (default false for development, true otherwise),
    /// `.requiredApprovals` (1), `.approverRole` (`admin`|`deployer`, admin), `.allowSelfApproval` (false),
    /// `.approvalTTLSeconds` (86400), `.autoRollback` (true for production, false otherwise).
    public var environments: [String: EnvironmentPolicy]
    /// `deployments.evaluationIntervalMilliseconds` — how often the rollout engine looks at active rollouts. Default 500.
    public var evaluationIntervalMilliseconds: Int
    /// `deployments.defaultNodeTimeoutSeconds` — default per-node timeout. Default 300.
    public var defaultNodeTimeoutSeconds: Int
    /// `deployments.defaultProgressDeadlineSeconds` — default per-cohort deadline. Default 900.
    public var defaultProgressDeadlineSeconds: Int
    /// `deployments.engine` — run the rollout engine in this process (default true). Tests that drive
    /// the engine step by step turn it off; every replica normally runs it (one leads).
    public var runEngine: Bool
    /// `idempotency.ttlSeconds` — how long an `Idempotency-Key` answer is kept for replay. Default 86400.
    public var idempotencyTTLSeconds: Int

    init(_ values: ConfigValues) throws {
        let names = (values.string("deployments.environments") ?? "development,staging,production")
            .split(separator: ",").map { String($0.drop(while: { $0 == " " })).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty, names.allSatisfy({ NodeSpecRules.isToken($0, max: 32) }) else {
            throw ConfigurationError(key: "deployments.environments", problem: "must list 1 or more names of letters, digits, '.', '_' or '-'")
        }
        var environments: [String: EnvironmentPolicy] = [:]
        for name in names {
            let prefix = "deployments.\(name)."
            let defaults = EnvironmentPolicy.defaults[name] ?? EnvironmentPolicy(requireApproval: true)
            let role = try values.oneOf(prefix + "approverRole", default: ApproverRole.admin, ApproverRole.self)
            environments[name] = EnvironmentPolicy(
                requireApproval: try values.bool(prefix + "requireApproval", default: defaults.requireApproval),
                requiredApprovals: try values.int(prefix + "requiredApprovals", default: 1, range: 1...10),
                approverRole: role == .admin ? .admin : .deployer,
                allowSelfApproval: try values.bool(prefix + "allowSelfApproval", default: false),
                approvalTTLSeconds: try values.int(prefix + "approvalTTLSeconds", default: 86_400, range: 60...2_592_000),
                autoRollbackByDefault: try values.bool(prefix + "autoRollback", default: defaults.autoRollbackByDefault))
        }
        self.environments = environments
        evaluationIntervalMilliseconds = try values.int("deployments.evaluationIntervalMilliseconds", default: 500, range: 50...60_000)
        defaultNodeTimeoutSeconds = try values.int("deployments.defaultNodeTimeoutSeconds", default: 300, range: 5...86_400)
        defaultProgressDeadlineSeconds = try values.int("deployments.defaultProgressDeadlineSeconds", default: 900, range: 5...604_800)
        runEngine = try values.bool("deployments.engine", default: true)
        idempotencyTTLSeconds = try values.int("idempotency.ttlSeconds", default: 86_400, range: 60...604_800)
    }

    enum ApproverRole: String {
        case admin, deployer
    }
}
