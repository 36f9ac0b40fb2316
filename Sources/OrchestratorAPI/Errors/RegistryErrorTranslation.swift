import HTTPTypes
import ModuleRegistry
import OrchestratorDomain
import WasmInspection

extension RegistryError {
    /// The client-facing form of a registry refusal. See docs/errors.md.
    var apiError: APIError {
        switch self {
        case .invalidModuleName(let name):
            return APIError(
                status: .badRequest, slug: "invalid-module-name",
                detail: "'\(name.prefix(100))' is not a valid module name: "
                    + "use 1–63 of a-z, 0-9 and '-', starting and ending with a letter or digit")
        case .invalidVersion(let version):
            return APIError(
                status: .badRequest, slug: "invalid-version",
                detail: "'\(version.prefix(130))' is not a semantic version (MAJOR.MINOR.PATCH[-pre][+build], no leading 'v')")
        case .invalidBinary(let failure) where failure.reason == .limits:
            return APIError(status: .unprocessableContent, slug: "module-limit-exceeded", detail: failure.detail)
        case .invalidBinary(let failure) where failure.reason == .deadline:
            // The module's own doing (its size and shape), not the server's: 422, like any other refusal of the binary.
            return APIError(status: .unprocessableContent, slug: "validation-deadline-exceeded", detail: failure.detail)
        case .invalidBinary(let failure):
            return APIError(
                status: .unprocessableContent, slug: "invalid-wasm-binary",
                detail: "Invalid WASM binary (\(failure.reason.rawValue)): \(failure.detail)")
        case .missingExports(let names):
            return APIError(
                status: .unprocessableContent, slug: "missing-exports",
                detail: "the module does not export the required \(names.count == 1 ? "name" : "names"): \(names.joined(separator: ", "))")
        case .exportsNotInspectable:
            return APIError(
                status: .unprocessableContent, slug: "missing-exports",
                detail: "requiredExports can only be checked for core modules; this registry does not decode component exports")
        case .versionConflict(let module, let version, let existing, let uploaded):
            return APIError(
                status: .conflict, slug: "version-conflict",
                detail:
                    "\(module)@\(version) already exists with digest \(existing); the upload has digest \(uploaded). "
                    + "Versions are immutable: publish a new version"
            )
        case .notFound(let what):
            return APIError.notFound(detail: what)
        case .illegalStatusChange(let version, let from, let change):
            return APIError(
                status: .conflict, slug: "illegal-status-change",
                detail: "version \(version) is \(from.rawValue); '\(change)' is not allowed from that status")
        case .versionReferenced(let version):
            return APIError(
                status: .conflict, slug: "version-referenced",
                detail: "version \(version) has been used by a deployment and can never be deleted; yank it instead")
        }
    }
}
