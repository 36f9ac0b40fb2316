import ArgumentParser
import Foundation
import OrchestratorClient

/// What `deploy create` and `deploy plan` send: a `-f` file (JSON or YAML), with the flags given on top of it.
struct DeploymentSpecOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("file")], help: "A deployment spec in JSON or YAML (- for standard input).")
    var file: String?
    @Option(help: "Module name.") var module: String?
    @Option(help: "Module version.") var version: String?
    @Option(help: "Environment (default production).") var environment: String?
    @Option(name: .customLong("node"), help: "Target node id (repeatable).") var nodes: [String] = []
    @Option(name: .customLong("region"), help: "Target region (repeatable).") var regions: [String] = []
    @Option(name: .customLong("zone"), help: "Target zone (repeatable).") var zones: [String] = []
    @Option(name: [.customLong("label"), .customLong("selector")], help: "Target trusted label KEY=VALUE (repeatable, or a,b).")
    var labels: [String] = []
    @Option(help: "Offline nodes: skip (default) or include.") var offlineNodes: String?
    @Option(help: "allAtOnce, rolling or canary.") var strategy: String?
    @Option(help: "Canary steps, e.g. 10,50,100.") var steps: String?
    @Option(help: "Rolling: nodes per batch.") var batchSize: Int?
    @Option(help: "Rolling: percent of the targets per batch.") var batchPercent: Int?
    @Option(help: "After each cohort: manual, or a duration such as 10m.") var pause: String?
    @Option(help: "Roll out one region or zone after the other: region or zone.") var waves: String?
    @Option(help: "Failure threshold, e.g. 10% or 2.") var failureThreshold: String?
    @Option(help: "The function the agent calls.") var entrypoint: String?
    @Option(help: "wasmkit, wasmtime or wasmedge.") var runtime: String?
    @Option(help: "Memory, e.g. 128Mi.") var memory: String?
    @Option(help: "CPU, e.g. 100m.") var cpu: String?
    @Option(name: .customLong("config"), help: "Module configuration KEY=VALUE (repeatable).") var config: [String] = []
    @Option(name: .customLong("env"), help: "Environment variable KEY=VALUE (repeatable).") var env: [String] = []
    @Option(help: "Seconds a dispatched node may take to report running.") var nodeTimeoutSeconds: Int?
    @Option(help: "Seconds a cohort may take to settle.") var progressDeadlineSeconds: Int?
    @Option(help: "true or false (default: the environment's).") var autoRollback: Bool?
    @Option(help: "Free text.") var description: String?
    @Option(help: "The release to change.") var release: String?
    @Option(help: "The release's priority.") var priority: Int?

    /// The request body: the file's members, then each flag given. An unusable file is a usage error (exit 64).
    func body() throws -> JSONValue {
        let document: JSONValue?
        do {
            document = try file.map { try DocumentFile.read(path: $0) }
        } catch let error as ClientError {
            throw ValidationError(error.message)
        }
        var spec = document?.objectValue ?? [:]
        if file != nil, spec.isEmpty { throw ValidationError("\(file!) must hold a JSON or YAML mapping") }
        spec["moduleName"] = module.map(JSONValue.string) ?? spec["moduleName"]
        spec["moduleVersion"] = version.map(JSONValue.string) ?? spec["moduleVersion"]
        spec["environment"] = environment.map(JSONValue.string) ?? spec["environment"]
        spec["target"] = try target(spec["target"]?.objectValue ?? [:])
        spec["strategy"] = try strategyBody(spec["strategy"]?.objectValue)
        spec["failureThreshold"] = failureThreshold.map(JSONValue.string) ?? spec["failureThreshold"]
        spec["entrypoint"] = entrypoint.map(JSONValue.string) ?? spec["entrypoint"]
        spec["runtime"] = runtime.map(JSONValue.string) ?? spec["runtime"]
        var resources = spec["resources"]?.objectValue ?? [:]
        resources["memory"] = memory.map(JSONValue.string) ?? resources["memory"]
        resources["cpu"] = cpu.map(JSONValue.string) ?? resources["cpu"]
        spec["resources"] = resources.isEmpty ? nil : .object(resources)
        spec["config"] = try KeyValues.object(config, flag: "--config") ?? spec["config"]
        spec["env"] = try KeyValues.object(env, flag: "--env") ?? spec["env"]
        spec["nodeTimeoutSeconds"] = nodeTimeoutSeconds.map { .number(Double($0)) } ?? spec["nodeTimeoutSeconds"]
        spec["progressDeadlineSeconds"] = progressDeadlineSeconds.map { .number(Double($0)) } ?? spec["progressDeadlineSeconds"]
        spec["autoRollback"] = autoRollback.map(JSONValue.bool) ?? spec["autoRollback"]
        spec["description"] = description.map(JSONValue.string) ?? spec["description"]
        spec["releaseId"] = release.map(JSONValue.string) ?? spec["releaseId"]
        spec["priority"] = priority.map { .number(Double($0)) } ?? spec["priority"]
        guard spec["moduleName"] != nil, spec["moduleVersion"] != nil else { throw ValidationError("give --module and --version, or -f FILE") }
        guard spec["target"] != nil else { throw ValidationError("give a target: --node, --region, --zone or --label (or target in -f FILE)") }
        return .object(spec)
    }

    private func target(_ base: [String: JSONValue]) throws -> JSONValue? {
        var target = base
        let list = { (values: [String]) in JSONValue.array(values.flatMap { $0.split(separator: ",").map { .string(String($0)) } }) }
        if !nodes.isEmpty { target["nodeIds"] = list(nodes) }
        if !regions.isEmpty { target["regions"] = list(regions) }
        if !zones.isEmpty { target["zones"] = list(zones) }
        if let labels = try KeyValues.object(labels, flag: "--label", splittingCommas: true) { target["labels"] = labels }
        if let offlineNodes { target["offlineNodes"] = .string(offlineNodes) }
        return target.isEmpty ? nil : .object(target)
    }

    private func strategyBody(_ base: [String: JSONValue]?) throws -> JSONValue? {
        var strategy = base ?? [:]
        if let type = self.strategy { strategy["type"] = .string(type) }
        if let steps {
            let numbers = steps.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !numbers.isEmpty, numbers.allSatisfy({ $0 != nil }) else { throw ValidationError("--steps takes percentages such as 10,50,100") }
            strategy["steps"] = .array(numbers.map { .number(Double($0!)) })
            if strategy["type"] == nil { strategy["type"] = .string("canary") }
        }
        if let batchSize { strategy["batchSize"] = .number(Double(batchSize)) }
        if let batchPercent { strategy["batchPercent"] = .number(Double(batchPercent)) }
        if batchSize != nil || batchPercent != nil, strategy["type"] == nil { strategy["type"] = .string("rolling") }
        if let pause { strategy["pause"] = .string(pause) }
        if let waves { strategy["waves"] = .string(waves) }
        return strategy.isEmpty ? nil : .object(strategy)
    }
}
