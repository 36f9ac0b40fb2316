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
    /// The approver's actor chain (who minted the approving token); `nil` when nobody did.
    public var actors: [String]?

    public init(
        approver: String, role: Role, digest: ContentDigest, comment: String?, approvedAt: Double, expiresAt: Double, actors: [String]? = nil
    ) {
        self.actors = actors?.isEmpty == true ? nil : actors
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

    /// Everyone behind the approving token.
    public var person: Person { Person(subject: approver, actors: actors ?? []) }
}

/// Why an approval is refused.
public enum ApprovalRefusal: Error, Sendable, Hashable {
    case roleMayNotApprove(Role, required: Role)
    case selfApproval
    case alreadyApproved
    case digestMismatch(expected: ContentDigest, given: ContentDigest)
}

/// Who may approve what; pure.
///
/// "The same person" is decided by ``Person``: a token's subject together
/// with everyone in its RFC 8693 actor chain. An admin who mints a token for
/// "bob" and approves with it is still the admin, so four-eyes and N-of-M
/// count people whose name sets are disjoint, never subjects.
public enum ApprovalRules {
    /// Checks one approval attempt against the policy and the approvals so far.
    public static func refusal(
        approver: Principal, creator: Person, digest: ContentDigest, reviewedDigest: ContentDigest?,
        existing: [Approval], policy: EnvironmentPolicy, at time: Double
    ) -> ApprovalRefusal? {
        if !mayApprove(approver.role, policy.approverRole) { return .roleMayNotApprove(approver.role, required: policy.approverRole) }
        if let reviewedDigest, reviewedDigest != digest { return .digestMismatch(expected: digest, given: reviewedDigest) }
        if approver.person.isSame(as: creator) && !policy.allowSelfApproval { return .selfApproval }
        if existing.contains(where: { $0.isValid(for: digest, at: time) && $0.person.isSame(as: approver.person) }) { return .alreadyApproved }
        return nil
    }

    /// The same check for a creator known only by subject (records stored before actor chains).
    public static func refusal(
        approver: Principal, creator: String, digest: ContentDigest, reviewedDigest: ContentDigest?,
        existing: [Approval], policy: EnvironmentPolicy, at time: Double
    ) -> ApprovalRefusal? {
        refusal(
            approver: approver, creator: Person(subject: creator), digest: digest, reviewedDigest: reviewedDigest, existing: existing,
            policy: policy, at: time)
    }

    /// Approvers (by subject) of still-valid approvals for `digest`, counting each person once:
    /// an approval that shares a name with an earlier counted one is not counted again.
    public static func validApprovers(_ approvals: [Approval], digest: ContentDigest, at time: Double) -> Set<String> {
        var counted: [Person] = []
        var subjects = Set<String>()
        for approval in approvals where approval.isValid(for: digest, at: time) {
            let person = approval.person
            guard counted.allSatisfy({ $0.isDistinct(from: person) }) else { continue }
            counted.append(person)
            subjects.insert(approval.approver)
        }
        return subjects
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
