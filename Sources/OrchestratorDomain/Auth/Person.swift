/// The people behind one credential: its subject and every actor of its
/// RFC 8693 `act` chain.
///
/// Separation of duties (four-eyes, N-of-M, creator vs executor) compares
/// people, not subjects: an admin who mints a token for "bob" is still
/// behind everything done with it. Two credentials belong to distinct
/// people only when their name sets are disjoint; any shared name makes
/// them the same person.
public struct Person: Sendable, Hashable {
    /// The subject followed by its actors; never empty.
    public let names: Set<String>

    public init(subject: String, actors: [String] = []) {
        names = Set([subject] + actors)
    }

    /// `true` when no name is shared, so the two may count as two people.
    public func isDistinct(from other: Person) -> Bool {
        names.isDisjoint(with: other.names)
    }

    /// `true` when some name is shared: the two count as one person.
    public func isSame(as other: Person) -> Bool {
        !isDistinct(from: other)
    }
}
