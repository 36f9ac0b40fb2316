/// Per-environment approval rules (seed 004's `RequireApproval`, extended).
public struct EnvironmentPolicy: Sendable, Hashable, Codable {
    public var requireApproval: Bool
    /// How many distinct approvers are needed (N).
    public var requiredApprovals: Int
    /// The least role that may approve: `admin` (default) or `deployer`.
    public var approverRole: Role
    /// The four-eyes rule: may the creator approve their own deployment? Default no.
    public var allowSelfApproval: Bool
    /// An approval is valid for this long.
    public var approvalTTLSeconds: Int
    /// Roll back automatically on failure unless the spec says otherwise.
    public var autoRollbackByDefault: Bool

    public init(
        requireApproval: Bool, requiredApprovals: Int = 1, approverRole: Role = .admin, allowSelfApproval: Bool = false,
        approvalTTLSeconds: Int = 86_400, autoRollbackByDefault: Bool = false
    ) {
        self.requireApproval = requireApproval
        self.requiredApprovals = requiredApprovals
        self.approverRole = approverRole
        self.allowSelfApproval = allowSelfApproval
        self.approvalTTLSeconds = approvalTTLSeconds
        self.autoRollbackByDefault = autoRollbackByDefault
    }

    /// Seed 004: development needs no approval, staging and production do; production rolls back automatically.
    public static let defaults: [String: EnvironmentPolicy] = [
        "development": EnvironmentPolicy(requireApproval: false),
        "staging": EnvironmentPolicy(requireApproval: true),
        "production": EnvironmentPolicy(requireApproval: true, autoRollbackByDefault: true),
    ]
}

/// One approval, bound to the digest the approver saw.
public struct Approval: Sendable, Hashable, Codable {
    public var approver: String
    public var role: Role
    public var digest: ContentDigest
    public var comment: String?
    public var approvedAt: Double
    public var expiresAt: Double

    public init(approver: String, role: Role, digest: ContentDigest, comment: String?, approvedAt: Double, expiresAt: Double) {
        self.approver = approver
        self.role = role
        self.digest = digest
        self.comment = comment
        self.approvedAt = approvedAt
        self.expiresAt = expiresAt
    }

    public func isValid(for digest: ContentDigest, at time: Double) -> Bool {
        self.digest == digest && expiresAt > time
    }
}

/// Why an approval is refused.
public enum ApprovalRefusal: Error, Sendable, Hashable {
    case roleMayNotApprove(Role, required: Role)
    case selfApproval
    case alreadyApproved
    case digestMismatch(expected: ContentDigest, given: ContentDigest)
}

/// Who may approve what; pure.
public enum ApprovalRules {
    /// Checks one approval attempt against the policy and the approvals so far.
    public static func refusal(
        approver: Principal, creator: String, digest: ContentDigest, reviewedDigest: ContentDigest?,
        existing: [Approval], policy: EnvironmentPolicy, at time: Double
    ) -> ApprovalRefusal? {
        if !mayApprove(approver.role, policy.approverRole) { return .roleMayNotApprove(approver.role, required: policy.approverRole) }
        if let reviewedDigest, reviewedDigest != digest { return .digestMismatch(expected: digest, given: reviewedDigest) }
        if approver.subject == creator && !policy.allowSelfApproval { return .selfApproval }
        if existing.contains(where: { $0.approver == approver.subject && $0.isValid(for: digest, at: time) }) { return .alreadyApproved }
        return nil
    }

    /// Distinct approvers whose approval is still valid for `digest`.
    public static func validApprovers(_ approvals: [Approval], digest: ContentDigest, at time: Double) -> Set<String> {
        Set(approvals.filter { $0.isValid(for: digest, at: time) }.map(\.approver))
    }

    public static func isComplete(_ approvals: [Approval], digest: ContentDigest, policy: EnvironmentPolicy, at time: Double) -> Bool {
        !policy.requireApproval || validApprovers(approvals, digest: digest, at: time).count >= policy.requiredApprovals
    }

    /// Admins may always approve; deployers only when the policy names `deployer`.
    public static func mayApprove(_ role: Role, _ required: Role) -> Bool {
        switch role {
        case .admin: true
        case .deployer: required == .deployer
        case .viewer, .agent: false
        }
    }
}
