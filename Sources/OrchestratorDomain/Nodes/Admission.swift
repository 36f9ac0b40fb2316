/// Whether the fleet admits a node. `pending` nodes hold a credential but
/// may only read their own record until an admin accepts them (as in Mender).
public enum AdmissionState: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, accepted, rejected
}

/// How new registrations are admitted.
public enum AdmissionMode: String, Sendable, Hashable, Codable {
    /// Every node presenting a valid enrollment token is accepted at once.
    case auto
    /// New nodes wait in `pending` for `POST /nodes/{id}/accept`.
    case manual
}

/// An admin's decision on a node.
public enum AdmissionDecision: String, Sendable, Hashable, CaseIterable {
    case accept, reject

    public var target: AdmissionState { self == .accept ? .accepted : .rejected }

    /// Accepting or rejecting is allowed from any state (an admin may change their mind);
    /// the same decision twice is idempotent.
    public func isNoOp(from current: AdmissionState) -> Bool { current == target }
}

/// A stored enrollment token (its secret is kept only as a hash).
public struct EnrollmentTokenRecord: Sendable, Hashable, Codable {
    public var id: String
    public var expiresAt: Double
    public var maxUses: Int
    public var uses: Int
    /// When set, only nodes registering in this region may use it.
    public var region: String?
    /// Trusted labels every node enrolled with this token gets (the API's `labels`).
    /// The node need not report them; what it reports is kept apart.
    public var requiredLabels: [String: String]
    public var createdBy: String
    public var createdAt: Double
    public var description: String?
    /// The environment every node enrolled with this token belongs to.
    public var environment: String

    public init(
        id: String, expiresAt: Double, maxUses: Int, uses: Int, region: String?, requiredLabels: [String: String],
        createdBy: String, createdAt: Double, description: String?, environment: String = EnvironmentRules.defaultEnvironment
    ) {
        self.environment = environment
        self.id = id
        self.expiresAt = expiresAt
        self.maxUses = maxUses
        self.uses = uses
        self.region = region
        self.requiredLabels = requiredLabels
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.description = description
    }
}

/// Why an enrollment token cannot register a node.
public enum EnrollmentRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case expired
    case usedUp
    case wrongRegion(allowed: String)

    public var description: String {
        switch self {
        case .expired: "the enrollment token has expired"
        case .usedUp: "the enrollment token has no uses left"
        case .wrongRegion(let allowed): "the enrollment token is scoped to region '\(allowed)'"
        }
    }
}

public enum EnrollmentRules {
    /// Why `token` may not register a node with `spec` at `now`; `nil` when it may.
    public static func refusal(_ token: EnrollmentTokenRecord, spec: NodeSpec, now: Double) -> EnrollmentRefusal? {
        do throws(EnrollmentRefusal) {
            try check(token, spec: spec, now: now)
            return nil
        } catch {
            return error
        }
    }

    /// Whether `token` may register a node with `spec` at `now`. The token's
    /// labels are not required of the node: they are given to it (trusted).
    public static func check(_ token: EnrollmentTokenRecord, spec: NodeSpec, now: Double) throws(EnrollmentRefusal) {
        try checkUsable(token, now: now)
        if let region = token.region, region != spec.region { throw .wrongRegion(allowed: region) }
    }

    /// The part of ``check(_:spec:now:)`` that needs no registration body: not
    /// expired and uses left. Used for the read-only check before any write.
    public static func checkUsable(_ token: EnrollmentTokenRecord, now: Double) throws(EnrollmentRefusal) {
        guard now < token.expiresAt else { throw .expired }
        guard token.uses < token.maxUses else { throw .usedUp }
    }
}
