import OrchestratorDomain
import WasmInspection

/// Why the registry refused a request. The HTTP layer maps each case to a
/// status and a problem type (see docs/errors.md).
public enum RegistryError: Error, Sendable, Equatable {
    /// Not a name we accept (→ 400).
    case invalidModuleName(String)
    /// Not strict semver (→ 400).
    case invalidVersion(String)
    /// The bytes are not a valid WebAssembly binary (→ 422).
    case invalidBinary(InspectionFailure)
    /// `requiredExports` named exports the binary lacks (→ 422).
    case missingExports([String])
    /// `requiredExports` was given for a component, whose exports are not inspected (→ 422).
    case exportsNotInspectable
    /// The version exists with other content (→ 409).
    case versionConflict(module: String, version: String, existing: ContentDigest, uploaded: ContentDigest)
    /// No such module or version (→ 404).
    case notFound(String)
    /// The status change is not allowed from the current status (→ 409).
    case illegalStatusChange(version: String, from: VersionStatus, change: String)
    /// A deployment referenced the version once, so it stays (→ 409).
    case versionReferenced(String)
}
