import Hummingbird
import OrchestratorDomain

/// The answer of `POST /api/v1/wasm/deployments?dryRun=true`: what creation would make, created nowhere.
struct DeploymentPlanBody: ResponseEncodable {
    let dryRun: Bool
    let moduleName: String
    let moduleVersion: String
    let digest: String
    let environment: String
    let spec: DeploymentBody.SpecBody
    /// Every target node id, in id order.
    let targets: [String]
    let cohorts: [CohortBody]
    let approvals: ApprovalsBody
    let warnings: [WarningBody]

    init(_ plan: DeploymentPlan) {
        dryRun = true
        moduleName = plan.spec.moduleName
        moduleVersion = plan.version
        digest = plan.digest.description
        environment = plan.spec.environment
        spec = DeploymentBody.SpecBody(plan.spec)
        targets = plan.targets.map(\.value)
        var cohorts: [CohortBody] = []
        for wave in plan.waves {
            for cohort in wave.cohorts {
                cohorts.append(CohortBody(cohort: cohorts.count + 1, wave: wave.key, nodeIds: cohort.map(\.value)))
            }
        }
        self.cohorts = cohorts
        approvals = ApprovalsBody(plan.policy)
        warnings = plan.warnings.map { WarningBody(type: $0.kind.rawValue, nodeId: $0.nodeID?.value, message: $0.message) }
    }

    /// One cohort, numbered as `GET /deployments/{id}/nodes` numbers them (from 1).
    struct CohortBody: Encodable {
        let cohort: Int
        /// The region or zone of every node of the cohort; absent without waves.
        let wave: String?
        let nodeIds: [String]
    }

    /// What the environment's policy asks before `execute` starts the rollout.
    struct ApprovalsBody: Encodable {
        /// Distinct approvers needed; 0 when the environment requires no approval.
        let required: Int
        /// The roles whose holders may approve (the policy's least role and above).
        let approverRoles: [String]
        /// Whether the creator may be one of them (the four-eyes rule when `false`).
        let selfApproval: Bool
        let approvalTTLSeconds: Int

        init(_ policy: EnvironmentPolicy) {
            required = policy.requireApproval ? policy.requiredApprovals : 0
            approverRoles = Role.allCases.filter { ApprovalRules.mayApprove($0, policy.approverRole) }.map(\.rawValue)
            selfApproval = policy.allowSelfApproval
            approvalTTLSeconds = policy.approvalTTLSeconds
        }
    }

    struct WarningBody: Encodable {
        /// `offline`, `disabled`, `notAdmitted` or `unknownWave`.
        let type: String
        let nodeId: String?
        let message: String
    }
}
