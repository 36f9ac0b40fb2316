import CoreMetrics
import Metrics

/// The registry's metrics. Names follow seed 004 where it has one
/// (`wasm.modules.registered.total` → `wasm_modules_registered_total`).
struct RegistryMetrics: Sendable {
    private let factory: any MetricsFactory
    private let registeredTotal: Counter
    private let uploadBytes: Recorder
    private let uploadDuration: Metrics.Timer

    init(factory: any MetricsFactory) {
        self.factory = factory
        registeredTotal = Counter(label: "wasm_modules_registered_total", factory: factory)
        uploadBytes = Recorder(label: "wasm_module_upload_bytes", aggregate: true, factory: factory)
        uploadDuration = Metrics.Timer(label: "wasm_module_upload_duration_seconds", factory: factory)
    }

    /// A new version was stored: count it and record its size and end-to-end upload time.
    func registered(bytes: Int, duration: Duration) {
        registeredTotal.increment()
        uploadBytes.record(bytes)
        uploadDuration.record(duration: duration)
    }

    func validationFailed(_ reason: String) {
        Counter(label: "wasm_module_validation_failures_total", dimensions: [("reason", reason)], factory: factory).increment()
    }
}
