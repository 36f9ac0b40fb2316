import CoreMetrics
import Metrics

/// The registry's metrics. Names follow seed 004 where it has one
/// (`wasm.modules.registered.total` → `wasm_modules_registered_total`).
enum RegistryMetrics {
    static let registeredTotal = Counter(label: "wasm_modules_registered_total")
    static let uploadBytes = Recorder(label: "wasm_module_upload_bytes", aggregate: true)
    static let uploadDuration = Metrics.Timer(label: "wasm_module_upload_duration_seconds")

    /// A new version was stored: count it and record its size and end-to-end upload time.
    static func registered(bytes: Int, duration: Duration) {
        registeredTotal.increment()
        uploadBytes.record(bytes)
        uploadDuration.record(duration: duration)
    }

    static func validationFailed(_ reason: String) {
        Counter(label: "wasm_module_validation_failures_total", dimensions: [("reason", reason)]).increment()
    }
}
