import Deployments
import Hummingbird
import OrchestratorDomain
import OrchestratorPorts

/// `GET /api/v1/wasm/deployments/{id}`: seed 004's `status` plus progress, approvals and the timeline.
struct DeploymentBody: ResponseEncodable {
    let id: String
    let moduleName: String
    let moduleVersion: String
    let digest: String
    let environment: String
    let status: String
    let revision: Int
    /// The release this deployment creates, changes or retires (absent for deployments made before releases).
    let releaseId: String?
    /// `true` when the deployment retires its release.
    let retire: Bool?
    let priority: Int?
    let reason: String?
    let description: String?
    let createdBy: String
    let createdAt: String
    let updatedAt: String
    let startedAt: String?
    let finishedAt: String?
    let spec: SpecBody
    let approvals: ApprovalsBody
    let progress: DeploymentProgress?
    let rollout: RolloutBody
    let timeline: [EventBody]?
    /// The commands the caller may send now (``DeploymentPermissions``): what a user interface offers; the server still authorizes each.
    let allowedActions: [String]

    init(
        _ record: DeploymentRecord, policy: EnvironmentPolicy, nodes: [DeploymentNode]?, now: Double, timeline: Bool = true,
        allowedActions: [DeploymentAction]
    ) {
        self.allowedActions = allowedActions.map(\.rawValue)
        id = record.id
        moduleName = record.spec.moduleName
        moduleVersion = record.spec.moduleVersion
        digest = record.digest.description
        environment = record.spec.environment
        status = record.state.rawValue
        revision = record.revision
        releaseId = record.releaseID
        retire = record.spec.retire
        priority = record.spec.priority
        reason = record.reason
        description = record.spec.description
        createdBy = record.createdBy
        createdAt = RFC3339.format(record.createdAt)
        updatedAt = RFC3339.format(record.updatedAt)
        startedAt = record.startedAt.map(RFC3339.format)
        finishedAt = record.finishedAt.map(RFC3339.format)
        spec = SpecBody(record.spec)
        let valid = ApprovalRules.validApprovers(record.approvals, digest: record.digest, at: now)
        approvals = ApprovalsBody(
            required: policy.requireApproval ? policy.requiredApprovals : 0, valid: valid.count,
            received: record.approvals.map { ApprovalBody($0, valid: $0.isValid(for: record.digest, at: now)) })
        progress = nodes.map { DeploymentProgress(nodes: $0, state: record.state) }
        rollout = RolloutBody(record)
        self.timeline = timeline ? record.events.map(EventBody.init) : nil
    }

    static func etag(_ record: DeploymentRecord) -> String { "\"r\(record.revision)\"" }

    struct SpecBody: Encodable {
        let target: CreateDeploymentRequest.TargetBody
        let entrypoint: String
        let runtime: String?
        let resources: ResourceLimits
        let env: [String: String]
        let config: [String: String]
        let scaling: Scaling
        let strategy: [String: StrategyValue]
        let failureThreshold: String
        let nodeTimeoutSeconds: Int
        let progressDeadlineSeconds: Int
        let autoRollback: Bool

        init(_ spec: DeploymentSpec) {
            target = .init(
                nodeIds: spec.target.nodeIds, regions: spec.target.regions, zones: spec.target.zones, labels: spec.target.labels,
                offlineNodes: spec.target.offlineNodes)
            entrypoint = spec.function.entrypoint
            runtime = spec.function.runtime?.rawValue
            resources = spec.function.resources
            env = spec.function.env
            config = spec.function.config
            scaling = spec.function.scaling
            var strategy: [String: StrategyValue] = ["type": .text(spec.strategy.name)]
            switch spec.strategy {
            case .allAtOnce: break
            case .rolling(.count(let n), _, _): strategy["batchSize"] = .number(n)
            case .rolling(.percent(let p), _, _): strategy["batchPercent"] = .number(p)
            case .canary(let steps, _, _): strategy["steps"] = .numbers(steps)
            }
            if let waves = spec.strategy.waves {
                strategy["waves"] = .text(waves.key.rawValue)
                if !waves.order.isEmpty { strategy["waveOrder"] = .texts(waves.order) }
            }
            switch spec.strategy.pause {
            case .none: break
            case .manual: strategy["pause"] = .text("manual")
            case .seconds(let s): strategy["pause"] = .text("\(s)s")
            }
            self.strategy = strategy
            failureThreshold = spec.failurePolicy.threshold.text
            nodeTimeoutSeconds = spec.failurePolicy.nodeTimeoutSeconds
            progressDeadlineSeconds = spec.failurePolicy.progressDeadlineSeconds
            autoRollback = spec.failurePolicy.autoRollback
        }
    }

    enum StrategyValue: Encodable {
        case text(String), number(Int), numbers([Int]), texts([String])

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let value): try container.encode(value)
            case .number(let value): try container.encode(value)
            case .numbers(let value): try container.encode(value)
            case .texts(let value): try container.encode(value)
            }
        }
    }

    struct ApprovalsBody: Encodable {
        let required: Int
        let valid: Int
        let received: [ApprovalBody]
    }

    struct ApprovalBody: Encodable {
        let approver: String
        let role: String
        let digest: String
        let comment: String?
        let approvedAt: String
        let expiresAt: String
        let valid: Bool

        init(_ approval: Approval, valid: Bool) {
            approver = approval.approver
            role = approval.role.rawValue
            digest = approval.digest.description
            comment = approval.comment
            approvedAt = RFC3339.format(approval.approvedAt)
            expiresAt = RFC3339.format(approval.expiresAt)
            self.valid = valid
        }
    }

    struct RolloutBody: Encodable {
        /// 1-based index of the cohort started last; 0 before the start.
        let currentStep: Int
        let stepCount: Int
        let gate: String
        let gateOpensAt: String?

        init(_ record: DeploymentRecord) {
            currentStep = record.currentStep + 1
            stepCount = record.stepCount
            switch record.gate {
            case .none:
                gate = "none"
                gateOpensAt = nil
            case .manual:
                gate = "manual"
                gateOpensAt = nil
            case .until(let time):
                gate = "timer"
                gateOpensAt = RFC3339.format(time)
            }
        }
    }

    struct EventBody: Encodable {
        let at: String
        let type: String
        let actor: String
        let detail: String?

        init(_ event: DeploymentEvent) {
            at = RFC3339.format(event.at)
            type = event.type
            actor = event.actor
            detail = event.detail
        }
    }
}

/// One row of `GET /deployments/{id}/nodes`.
struct DeploymentNodeBody: Encodable, Sendable {
    let nodeId: String
    let cohort: Int
    let state: String
    let message: String?
    let dispatchedAt: String?
    let updatedAt: String

    init(_ node: DeploymentNode) {
        nodeId = node.nodeID.value
        cohort = node.step + 1
        state = node.state.rawValue
        message = node.message
        dispatchedAt = node.dispatchedAt.map(RFC3339.format)
        updatedAt = RFC3339.format(node.updatedAt)
    }
}

/// One audit record of `GET /audit-events`.
struct AuditEventBody: Encodable, Sendable {
    let id: Int64
    let actor: String
    let role: String?
    let action: String
    let target: String
    let outcome: String
    let requestId: String?
    let sourceAddress: String?
    let occurredAt: String
    /// Who minted the caller's token on `actor`'s behalf (RFC 8693 `act` chain, innermost first); absent when nobody did.
    let actors: [String]?

    init(_ stored: StoredAuditEvent) {
        actors = stored.event.actors.isEmpty ? nil : stored.event.actors
        id = stored.id
        actor = stored.event.actor
        role = stored.event.role
        action = stored.event.action
        target = stored.event.target
        outcome = stored.event.outcome.rawValue
        requestId = stored.event.requestID
        sourceAddress = stored.event.sourceAddress
        occurredAt = RFC3339.format(stored.event.occurredAt)
    }
}
