import Foundation
import PackagePlugin

/// Compiles `migrations/**/*.sql` and `openapi.yaml` into the target as Swift string
/// literals, so the server binary is self-contained (no resource bundle to ship) and the
/// repository keeps one copy of each file at its top level.
@main
struct EmbedResources: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let root = context.package.directoryURL
        var relativePaths: [String] = []
        for dialect in ["postgres", "sqlite"] {
            let directory = root.appending(path: "migrations/\(dialect)")
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            relativePaths += files.filter { $0.hasSuffix(".sql") }.sorted().map { "migrations/\(dialect)/\($0)" }
        }
        relativePaths.append("openapi.yaml")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedResources.swift")
        return [
            .buildCommand(
                displayName: "Embedding migrations and openapi.yaml",
                executable: try context.tool(named: "embed-resources").url,
                arguments: [output.path, root.path] + relativePaths,
                inputFiles: relativePaths.map { root.appending(path: $0) },
                outputFiles: [output])
        ]
    }
}
