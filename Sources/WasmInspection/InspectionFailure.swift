/// Why an upload is not an acceptable WebAssembly binary.
///
/// `reason` is a small fixed set (it labels the
/// `wasm_module_validation_failures_total` metric); `detail` carries the
/// parser's own words for the problem document.
public struct InspectionFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        /// Zero bytes.
        case empty
        /// Shorter than the header, wrong magic or an unknown version/layer.
        case header
        /// The binary does not decode (truncated, corrupt section, bad LEB128, …).
        case malformed
        /// It decodes, but breaks a validation rule (types, indices, limits).
        case invalid
        /// Declares more (memory, table entries, functions, segments, …) than ``ValidationLimits`` allow.
        case limits
        /// Validation ran past its deadline and was stopped.
        case deadline
    }

    public let reason: Reason
    public let detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}
