import OrchestratorDomain

/// Target selection and compatibility at creation; pure apart from its inputs.
enum TargetResolver {
    /// The nodes a spec targets, in id order: only nodes of the spec's
    /// environment. Naming a node of another environment is refused, naming it.
    static func targets(_ spec: DeploymentSpec, fleet: [NodeRecord]) throws(DeploymentError) -> [NodeRecord] {
        let selection = spec.target.select(from: fleet, environment: spec.environment)
        guard selection.otherEnvironment.isEmpty else {
            let named = selection.otherEnvironment.map { "\($0.id) (\($0.environment))" }
            throw .targetsInOtherEnvironment(Array(named.prefix(20)), environment: spec.environment, total: named.count)
        }
        return selection.targets
    }

    /// Why `node` cannot run `version` with `spec`; `nil` when it can.
    static func incompatibility(_ node: NodeRecord, version: ModuleVersionRecord, spec: DeploymentSpec) -> String? {
        let interface = version.interface
        let capabilities = node.spec.capabilities
        if interface.kind == .component && !capabilities.componentModel { return "no component-model support" }
        let needsPreview1 = interface.wasiImports.contains { !$0.hasPrefix("wasi:") }
        let needsPreview2 = interface.wasiImports.contains { $0.hasPrefix("wasi:") }
        if needsPreview1 && !capabilities.wasiPreviews.contains("preview1") { return "no WASI preview1" }
        if needsPreview2 && !capabilities.wasiPreviews.contains("preview2") { return "no WASI preview2" }
        if let runtime = spec.function.runtime, runtime != node.spec.runtime {
            return "runtime \(node.spec.runtime.rawValue), not \(runtime.rawValue)"
        }
        return nil
    }

    /// The module's declared minimum memory must fit the memory limit.
    static func memoryProblem(_ version: ModuleVersionRecord, spec: DeploymentSpec) -> String? {
        guard let limitMi = UInt64(spec.function.resources.memory.dropLast(2)) else { return nil }
        let minimumBytes = version.interface.memories.reduce(UInt64(0)) { $0 &+ $1.minPages.multipliedReportingOverflow(by: 65_536).partialValue }
        guard minimumBytes > limitMi * 1_048_576 else { return nil }
        return
            "the module needs at least \(minimumBytes / 1_048_576)Mi of linear memory, more than resources.memory \(spec.function.resources.memory)"
    }

    /// The entrypoint must be an exported function of a core module.
    static func entrypointProblem(_ version: ModuleVersionRecord, spec: DeploymentSpec) -> String? {
        guard version.interface.kind == .module else { return nil }
        let entrypoint = spec.function.entrypoint
        guard version.interface.exports.contains(where: { $0.name == entrypoint && $0.kind == .function }) else {
            return "the module does not export a function '\(entrypoint.prefix(128))'"
        }
        return nil
    }
}
