/// The RFC 8693 `act` claim: `{"sub": "<actor>", "act": {…}}`, the current
/// actor outermost and earlier actors nested inside.
///
/// A class because the claim nests itself; immutable, so it is `Sendable`.
public final class ActorClaim: Codable, Sendable, Equatable {
    /// Longer chains are refused: minting through more than this many hands is not a use case.
    public static let maximumDepth = 16

    public let sub: String
    public let act: ActorClaim?

    public init(sub: String, act: ActorClaim? = nil) {
        self.sub = sub
        self.act = act
    }

    /// The claim for `chain` (innermost first, as in ``OrchestratorDomain/Principal/actors``); `nil` when empty.
    public convenience init?(chain: [String]) {
        guard let first = chain.first else { return nil }
        self.init(sub: first, act: ActorClaim(chain: Array(chain.dropFirst())))
    }

    /// The actors, innermost first. `nil` when the chain is deeper than ``maximumDepth``.
    public var chain: [String]? {
        var names: [String] = []
        var current: ActorClaim? = self
        while let claim = current {
            guard names.count < Self.maximumDepth else { return nil }
            names.append(claim.sub)
            current = claim.act
        }
        return names
    }

    public static func == (lhs: ActorClaim, rhs: ActorClaim) -> Bool {
        lhs.sub == rhs.sub && lhs.act == rhs.act
    }
}
