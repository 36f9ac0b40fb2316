import ArgumentParser

/// `wasm-orchestrator`: the control plane that ships WebAssembly modules to edge nodes.
public struct OrchestratorCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "wasm-orchestrator",
        abstract: "Registers WASM modules and rolls them out to fleets of edge nodes.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, GCCommand.self, TokenCommand.self,
            LoginCommand.self, ModuleCommand.self, DeployCommand.self, ReleaseCommand.self, NodeCommand.self, EnrollCommand.self,
            AuditCommand.self,
        ],
        defaultSubcommand: ServeCommand.self)

    public init() {}
}

extension OrchestratorCommand {
    /// Entry point for the executable, so it needs no ArgumentParser import.
    public static func runFromCommandLine() async {
        await main()
    }
}
