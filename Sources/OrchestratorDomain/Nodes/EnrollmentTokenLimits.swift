/// The bounds and defaults of an enrollment token, for every client that mints one.
public enum EnrollmentTokenLimits {
    /// One day.
    public static let defaultLifetimeSeconds = 86_400
    /// One minute to thirty days.
    public static let lifetimeSeconds: ClosedRange<Int> = 60...2_592_000
    /// A token enrolls one node unless asked otherwise.
    public static let defaultMaxUses = 1
    public static let maxUses: ClosedRange<Int> = 1...100_000
    /// Free text, without control characters.
    public static let maxDescriptionBytes = 256

    /// The first bound `lifetimeSeconds` or `maxUses` breaks, as a sentence naming the request
    /// field (`expiresInSeconds`, `maxUses`); `nil` when both are within bounds.
    public static func problem(lifetimeSeconds: Int, maxUses: Int) -> String? {
        guard Self.lifetimeSeconds.contains(lifetimeSeconds) else {
            return "'expiresInSeconds' must be \(Self.lifetimeSeconds.lowerBound) to \(Self.lifetimeSeconds.upperBound)"
        }
        guard Self.maxUses.contains(maxUses) else {
            return "'maxUses' must be \(Self.maxUses.lowerBound) to \(Self.maxUses.upperBound)"
        }
        return nil
    }
}
