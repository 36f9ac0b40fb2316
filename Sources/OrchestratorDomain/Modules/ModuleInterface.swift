/// What a WebAssembly binary declares about itself, extracted once at upload.
///
/// Deployments use it for compatibility checks (component model support,
/// WASI needs, required exports) without opening the blob again.
public struct ModuleInterface: Sendable, Hashable, Codable {
    /// Core module or component.
    public var kind: WasmBinaryKind
    public var exports: [WasmExternal]
    public var imports: [WasmExternal]
    /// The limits of each memory the binary defines or imports, in 64 KiB pages.
    public var memories: [MemoryLimits]
    /// The WASI functions it imports (`wasi_snapshot_preview1.fd_write`, …); empty when it needs no WASI.
    public var wasiImports: [String]

    public init(kind: WasmBinaryKind, exports: [WasmExternal], imports: [WasmExternal], memories: [MemoryLimits]) {
        self.kind = kind
        self.exports = exports
        self.imports = imports
        self.memories = memories
        self.wasiImports = imports.filter { WasiDetection.isWasiNamespace($0.module ?? "") }.map { "\($0.module ?? "").\($0.name)" }
    }

    /// `true` when the binary cannot run without a WASI host.
    public var requiresWasi: Bool { !wasiImports.isEmpty }

    /// The names of `required` that the binary does not export, in the order given.
    public func missingExports(_ required: [String]) -> [String] {
        let exported = Set(exports.map(\.name))
        var seen = Set<String>()
        return required.filter { !exported.contains($0) && seen.insert($0).inserted }
    }
}

/// One import or export.
public struct WasmExternal: Sendable, Hashable, Codable {
    /// The import's module namespace; `nil` for exports.
    public var module: String?
    public var name: String
    public var kind: Kind

    public enum Kind: String, Sendable, Hashable, Codable {
        case function, table, memory, global, tag
        /// Component-level items (instances, types, …) the registry does not break down further.
        case other
    }

    public init(module: String? = nil, name: String, kind: Kind) {
        self.module = module
        self.name = name
        self.kind = kind
    }
}

/// A memory's size limits in 64 KiB pages.
public struct MemoryLimits: Sendable, Hashable, Codable {
    public var minPages: UInt64
    public var maxPages: UInt64?
    public var shared: Bool
    public var memory64: Bool

    public init(minPages: UInt64, maxPages: UInt64?, shared: Bool = false, memory64: Bool = false) {
        self.minPages = minPages
        self.maxPages = maxPages
        self.shared = shared
        self.memory64 = memory64
    }
}

public enum WasiDetection {
    /// Import namespaces that mean "needs a WASI host": preview 1 (and its
    /// pre-release name) and preview 2 interfaces (`wasi:cli/...`).
    public static func isWasiNamespace(_ module: String) -> Bool {
        module == "wasi_snapshot_preview1" || module == "wasi_unstable" || module.hasPrefix("wasi:")
    }
}
