import Foundation

/// The agent's configuration: seed 004's `edge-node-config.json` (PascalCase
/// keys), extended with what a real agent needs. Flags and environment
/// variables override the file (see `wasm-edge-agent --help`).
public struct AgentConfiguration: Sendable, Codable, Equatable {
    public var nodeId: String
    public var region: String
    public var zone: String
    public var orchestratorApiUrl: String
    public var runtime: String
    public var runtimeVersion: String
    public var maxModules: Int
    /// ISO 8601 (`PT30S`) or plain seconds; the server's interval wins once registered.
    public var heartbeatInterval: String
    public var hardware: Hardware
    public var labels: [String: String]
    /// Where the credential and the module cache live.
    public var stateDirectory: String
    /// Used once, to enroll; afterwards the stored credential is used.
    public var enrollmentToken: String?
    /// Versions kept per module, so a rollback needs no download.
    public var keepVersions: Int
    /// Fuel (≈ executed instructions) the entrypoint may use per run.
    public var fuelBudget: UInt64
    /// Allows a plain `http` orchestrator URL, and plain `http` download URLs
    /// under an `https` orchestrator (`Insecure`, `--insecure`, `WASM_AGENT_INSECURE`).
    public var insecure: Bool
    /// Wall-clock limit, in seconds, of one run of an entrypoint (besides fuel);
    /// 0.1–3600 (`EntrypointTimeoutSeconds`, `--entrypoint-timeout-seconds`).
    public var entrypointTimeoutSeconds: Double

    public struct Hardware: Sendable, Codable, Equatable {
        public var cpuCores: Int
        public var totalMemoryMB: Int
        public var architecture: String

        enum CodingKeys: String, CodingKey {
            case cpuCores = "CpuCores", totalMemoryMB = "TotalMemoryMB", architecture = "Architecture"
        }

        public init(cpuCores: Int, totalMemoryMB: Int, architecture: String) {
            self.cpuCores = cpuCores
            self.totalMemoryMB = totalMemoryMB
            self.architecture = architecture
        }
    }

    enum CodingKeys: String, CodingKey {
        case nodeId = "NodeId", region = "Region", zone = "Zone", orchestratorApiUrl = "OrchestratorApiUrl", runtime = "Runtime"
        case runtimeVersion = "RuntimeVersion", maxModules = "MaxModules", heartbeatInterval = "HeartbeatInterval", hardware = "Hardware"
        case labels = "Labels", stateDirectory = "StateDirectory", enrollmentToken = "EnrollmentToken", keepVersions = "KeepVersions"
        case fuelBudget = "FuelBudget", insecure = "Insecure", entrypointTimeoutSeconds = "EntrypointTimeoutSeconds"
    }

    public init(
        nodeId: String, region: String, zone: String, orchestratorApiUrl: String, runtime: String = "wasmkit", runtimeVersion: String = "0.4.2",
        maxModules: Int = 100, heartbeatInterval: String = "PT30S", hardware: Hardware = .detected, labels: [String: String] = [:],
        stateDirectory: String = "/var/lib/wasm-edge-agent", enrollmentToken: String? = nil, keepVersions: Int = 3,
        fuelBudget: UInt64 = 10_000_000_000,
        insecure: Bool = false, entrypointTimeoutSeconds: Double = 30
    ) {
        self.nodeId = nodeId
        self.region = region
        self.zone = zone
        self.orchestratorApiUrl = orchestratorApiUrl
        self.runtime = runtime
        self.runtimeVersion = runtimeVersion
        self.maxModules = maxModules
        self.heartbeatInterval = heartbeatInterval
        self.hardware = hardware
        self.labels = labels
        self.stateDirectory = stateDirectory
        self.enrollmentToken = enrollmentToken
        self.keepVersions = keepVersions
        self.fuelBudget = fuelBudget
        self.insecure = insecure
        self.entrypointTimeoutSeconds = entrypointTimeoutSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            nodeId: try c.decode(String.self, forKey: .nodeId), region: try c.decode(String.self, forKey: .region),
            zone: try c.decode(String.self, forKey: .zone), orchestratorApiUrl: try c.decode(String.self, forKey: .orchestratorApiUrl),
            runtime: try c.decodeIfPresent(String.self, forKey: .runtime) ?? "wasmkit",
            runtimeVersion: try c.decodeIfPresent(String.self, forKey: .runtimeVersion) ?? "0.4.2",
            maxModules: try c.decodeIfPresent(Int.self, forKey: .maxModules) ?? 100,
            heartbeatInterval: try c.decodeIfPresent(String.self, forKey: .heartbeatInterval) ?? "PT30S",
            hardware: try c.decodeIfPresent(Hardware.self, forKey: .hardware) ?? .detected,
            labels: try c.decodeIfPresent([String: String].self, forKey: .labels) ?? [:],
            stateDirectory: try c.decodeIfPresent(String.self, forKey: .stateDirectory) ?? "/var/lib/wasm-edge-agent",
            enrollmentToken: try c.decodeIfPresent(String.self, forKey: .enrollmentToken),
            keepVersions: try c.decodeIfPresent(Int.self, forKey: .keepVersions) ?? 3,
            fuelBudget: try c.decodeIfPresent(UInt64.self, forKey: .fuelBudget) ?? 10_000_000_000,
            insecure: try c.decodeIfPresent(Bool.self, forKey: .insecure) ?? false,
            entrypointTimeoutSeconds: try c.decodeIfPresent(Double.self, forKey: .entrypointTimeoutSeconds) ?? 30)
    }

    public static func load(path: String) throws -> AgentConfiguration {
        try JSONDecoder().decode(AgentConfiguration.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The heartbeat interval in seconds (`PT30S`, `PT1M`, `30`): 30 when
    /// unreadable, clamped to 1–3600 otherwise.
    public var heartbeatSeconds: Double {
        guard let seconds = AgentSeconds.interval(heartbeatInterval), seconds > 0 else { return 30 }
        return AgentSeconds.clamp(seconds, 1...3600, fallback: 30)
    }

    /// What is wrong with this configuration, or `nil`: the node id goes into
    /// URL paths, so it is 1–128 of `A-Za-z0-9._-` (not `.` or `..`); the
    /// entrypoint timeout is 0.1–3600 s; the orchestrator URL must satisfy ``RequestPolicy``.
    public var problem: String? {
        let id = Array(nodeId.utf8)
        let allowed = id.allSatisfy {
            (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 45 || $0 == 46 || $0 == 95
        }
        if !(1...128).contains(id.count) || !allowed || nodeId == "." || nodeId == ".." {
            return "NodeId must be 1-128 of A-Z, a-z, 0-9, '.', '_', '-'"
        }
        if !(entrypointTimeoutSeconds.isFinite && (0.1...3600).contains(entrypointTimeoutSeconds)) {
            return "EntrypointTimeoutSeconds must be 0.1-3600"
        }
        if stateDirectory.isEmpty || stateDirectory.utf8.contains(0) { return "StateDirectory must be a path" }
        do { _ = try RequestPolicy(orchestratorURL: orchestratorApiUrl, insecure: insecure) } catch { return error.description }
        return nil
    }
}

extension AgentConfiguration.Hardware {
    /// This host: cores, memory from `/proc/meminfo`, architecture.
    public static var detected: Self {
        #if arch(x86_64)
            let architecture = "x86_64"
        #elseif arch(arm64)
            let architecture = "aarch64"
        #else
            let architecture = "unknown"
        #endif
        return Self(
            cpuCores: ProcessInfo.processInfo.activeProcessorCount,
            totalMemoryMB: Int(ProcessInfo.processInfo.physicalMemory / 1_048_576), architecture: architecture)
    }
}
