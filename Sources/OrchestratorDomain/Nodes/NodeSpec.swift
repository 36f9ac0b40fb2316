/// What a node says about itself when it registers (seed 004's
/// `edge-node-config.json`, seed 002's runner). Validated by ``NodeSpecRules``.
public struct NodeSpec: Sendable, Hashable, Codable {
    /// Claimed at enrollment (within the token's region); afterwards changed only by an admin.
    public var region: String
    /// Claimed at enrollment; afterwards changed only by an admin.
    public var zone: String
    /// Self-reported labels (`reportedLabels`): kept and shown, never used for
    /// targeting. The trusted ones are ``NodeRecord/labels``.
    public var labels: [String: String]
    public var runtime: WasmRuntime
    public var runtimeVersion: String
    public var capabilities: NodeCapabilities
    public var maxModules: Int
    public var hardware: NodeHardware

    public init(
        region: String, zone: String, labels: [String: String], runtime: WasmRuntime, runtimeVersion: String,
        capabilities: NodeCapabilities, maxModules: Int, hardware: NodeHardware
    ) {
        self.region = region
        self.zone = zone
        self.labels = labels
        self.runtime = runtime
        self.runtimeVersion = runtimeVersion
        self.capabilities = capabilities
        self.maxModules = maxModules
        self.hardware = hardware
    }
}

public enum WasmRuntime: String, Sendable, Hashable, Codable, CaseIterable {
    case wasmtime, wasmedge, wasmkit
}

public struct NodeCapabilities: Sendable, Hashable, Codable {
    /// Can run component-model binaries.
    public var componentModel: Bool
    /// WASI versions the host provides, e.g. `preview1`, `preview2`.
    public var wasiPreviews: [String]

    public init(componentModel: Bool = false, wasiPreviews: [String] = ["preview1"]) {
        self.componentModel = componentModel
        self.wasiPreviews = wasiPreviews
    }
}

public struct NodeHardware: Sendable, Hashable, Codable {
    public var cpuCores: Int
    public var totalMemoryMB: Int
    public var architecture: String

    public init(cpuCores: Int, totalMemoryMB: Int, architecture: String) {
        self.cpuCores = cpuCores
        self.totalMemoryMB = totalMemoryMB
        self.architecture = architecture
    }
}

/// Bounds on untrusted registration input.
public enum NodeSpecRules {
    public static let maxLabels = 32
    public static let wasiPreviews: Set<String> = ["preview1", "preview2"]

    /// A label key is a DNS-style name (optionally with a `prefix/`), a value at most 63 safe characters.
    public static func isLabelKey(_ key: String) -> Bool {
        guard (1...128).contains(key.utf8.count) else { return false }
        return key.utf8.allSatisfy { isSafe($0) || $0 == 47 } && isAlphanumeric(key.utf8.first!) && isAlphanumeric(key.utf8.last!)
    }

    public static func isLabelValue(_ value: String) -> Bool {
        value.utf8.count <= 63 && value.utf8.allSatisfy(isSafe)
    }

    /// The first problem with `spec`, in words a user can act on; `nil` when valid.
    public static func problem(_ spec: NodeSpec) -> String? {
        if !isToken(spec.region, max: 64) { return "'region' must be 1–64 letters, digits, '.', '_' or '-'" }
        if !isToken(spec.zone, max: 64) { return "'zone' must be 1–64 letters, digits, '.', '_' or '-'" }
        if spec.labels.count > maxLabels { return "at most \(maxLabels) labels" }
        if let bad = spec.labels.first(where: { !isLabelKey($0.key) || !isLabelValue($0.value) }) {
            return "label '\(bad.key.prefix(64))' is not a valid key/value (keys: letters, digits, '.', '_', '-', '/'; values ≤ 63 of those)"
        }
        if spec.runtimeVersion.isEmpty || !TextRules.isFreeText(spec.runtimeVersion, maxBytes: 64) {
            return "'runtimeVersion' must be 1–64 characters without control characters"
        }
        if !(1...100_000).contains(spec.maxModules) { return "'maxModules' must be 1–100000" }
        if !(1...4096).contains(spec.hardware.cpuCores) { return "'hardware.cpuCores' must be 1–4096" }
        if !(1...(64 * 1024 * 1024)).contains(spec.hardware.totalMemoryMB) { return "'hardware.totalMemoryMB' must be 1–67108864" }
        if !isToken(spec.hardware.architecture, max: 32) { return "'hardware.architecture' must be 1–32 letters, digits, '.', '_' or '-'" }
        if spec.capabilities.wasiPreviews.count > 4 || !spec.capabilities.wasiPreviews.allSatisfy(wasiPreviews.contains) {
            return "'capabilities.wasiPreviews' may contain only preview1 and preview2"
        }
        return nil
    }

    /// 1…`max` letters, digits, `.`, `_` or `-`.
    public static func isToken(_ text: String, max: Int) -> Bool {
        (1...max).contains(text.utf8.count) && text.utf8.allSatisfy(isSafe)
    }

    static func isSafe(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == 46 || byte == 95 || byte == 45
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }
}
