import OrchestratorDomain

/// Deployment workflow settings, built from configuration by the app.
public struct DeploymentSettings: Sendable {
    /// Approval policy per environment name; the keys are the allowed environments.
    public var environments: [String: EnvironmentPolicy]
    /// How often the rollout engine evaluates active deployments.
    public var evaluationIntervalSeconds: Double
    public var defaultFailureThreshold: FailureThreshold
    public var defaultNodeTimeoutSeconds: Int
    public var defaultProgressDeadlineSeconds: Int
    /// How many times `POST …/retry` may re-dispatch one node of one deployment.
    public var retryBudget: Int = 3

    public init(
        environments: [String: EnvironmentPolicy] = EnvironmentPolicy.defaults, evaluationIntervalSeconds: Double = 0.5,
        defaultFailureThreshold: FailureThreshold = .percent(10), defaultNodeTimeoutSeconds: Int = 300, defaultProgressDeadlineSeconds: Int = 900
    ) {
        self.environments = environments
        self.evaluationIntervalSeconds = evaluationIntervalSeconds
        self.defaultFailureThreshold = defaultFailureThreshold
        self.defaultNodeTimeoutSeconds = defaultNodeTimeoutSeconds
        self.defaultProgressDeadlineSeconds = defaultProgressDeadlineSeconds
    }

    public func policy(for environment: String) -> EnvironmentPolicy {
        environments[environment] ?? EnvironmentPolicy(requireApproval: true)
    }
}
