/// What a deployment request gets for the fields it leaves out, for every client that creates one.
///
/// The failure policy's defaults are configuration (`DeploymentSettings`) and
/// the environment's policy, not constants, so they are not here.
public enum DeploymentDefaults {
    /// The export called when none is named.
    public static let entrypoint = "_start"
    public static let resources = ResourceLimits()
    public static let strategy = RolloutStrategy.allAtOnce
    /// Offline nodes are left out of a rollout unless asked for.
    public static let offlineNodes = OfflineNodePolicy.skip
}
