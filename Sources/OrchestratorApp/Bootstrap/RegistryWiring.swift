import CoreMetrics
import Foundation
import Logging
import ModuleRegistry
import OrchestratorConfig

/// The module registry over the selected backends, with the configured limits, and its validation threads.
///
/// Part of ``buildApplication(settings:logger:onServerRunning:)``'s wiring; `gc` uses it too (it validates
/// nothing, so it does not run ``workers``).
public struct RegistryWiring: Sendable {
    public let registry: ModuleRegistry
    /// A service: uploads are validated only while it runs.
    public let workers: ValidationWorkers

    /// - Parameter metrics: the server's metrics factory (``ServerMetrics/factory``).
    public init(
        settings: OrchestratorSettings, backends: Backends, hooks: RegistryHooks = RegistryHooks(), metrics: any MetricsFactory, logger: Logger
    ) {
        let modules = settings.modules
        let registrySettings = RegistrySettings(
            maxModuleBytes: modules.maxBytes, maxConcurrentValidations: modules.validationConcurrency,
            spoolDirectory: modules.spoolDirectory, validationLimits: modules.validationLimits,
            validationDeadline: .milliseconds(modules.validationDeadlineMillis))
        workers = ValidationWorkers(threads: registrySettings.maxConcurrentValidations)
        registry = ModuleRegistry(
            catalog: backends.metadata, blobs: backends.blobs, settings: registrySettings, workers: workers, hooks: hooks, metrics: metrics,
            now: { Date().timeIntervalSince1970 }, logger: logger)
    }
}
