/// The agent protocol's JSON, as the orchestrator speaks it (see `openapi.yaml`).
public enum Wire {
    public struct Registration: Encodable, Sendable {
        public var nodeId: String
        public var region: String
        public var zone: String
        public var labels: [String: String]
        public var runtime: String
        public var runtimeVersion: String
        public var capabilities: Capabilities
        public var maxModules: Int
        public var hardware: Hardware

        public struct Capabilities: Encodable, Sendable {
            public var componentModel: Bool
            public var wasiPreviews: [String]
        }

        public struct Hardware: Encodable, Sendable {
            public var cpuCores: Int
            public var totalMemoryMB: Int
            public var architecture: String
        }
    }

    public struct Registered: Decodable, Sendable {
        public var credential: String?
        public var heartbeatIntervalSeconds: Int?
    }

    public struct Heartbeat: Encodable, Sendable {
        public var cpuUsagePercent: Double
        public var memoryUsageMB: Double
        public var modulesLoaded: Int
        public var agentVersion: String
        public var inventory: [InventoryItem]
        public var conditions: [Condition]
    }

    public struct InventoryItem: Encodable, Sendable {
        public var module: String
        public var version: String
        public var digest: String
        public var state: String
    }

    public struct Condition: Encodable, Sendable {
        public var type: String
        public var status: Bool
        public var severity: String
        public var message: String?
    }

    public struct DesiredState: Decodable, Sendable {
        public var modules: [Module]
        public var pollAfterSeconds: Int?
    }

    public struct Module: Decodable, Sendable, Equatable {
        public var name: String
        public var version: String
        public var digest: String
        public var downloadUrl: String
        public var entrypoint: String
        public var resources: Resources
        public var config: [String: String]?
        public var env: [String: String]?
        public var deploymentId: String?
    }

    public struct Resources: Decodable, Sendable, Equatable {
        public var memory: String
        public var cpu: String
    }

    public struct StatusReport: Encodable, Sendable {
        public var deploymentId: String?
        public var module: String
        public var version: String
        public var digest: String
        public var state: String
        public var reason: String?
    }

    public struct StatusReports: Encodable, Sendable {
        public var reports: [StatusReport]
    }
}
