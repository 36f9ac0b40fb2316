import Foundation
import PackagePlugin

/// Compiles `migrations/**/*.sql`, `openapi.yaml` and the web console (`console/**`: HTML, CSS,
/// JavaScript modules) into the target as Swift string literals, so the server binary is
/// self-contained (no resource bundle to ship) and the repository keeps one copy of each file
/// at its top level.
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
        relativePaths += consoleFiles(under: root)
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedResources.swift")
        return [
            .buildCommand(
                displayName: "Embedding migrations, openapi.yaml and the console",
                executable: try context.tool(named: "embed-resources").url,
                arguments: [output.path, root.path] + relativePaths,
                inputFiles: relativePaths.map { root.appending(path: $0) },
                outputFiles: [output])
        ]
    }

    /// Every file under `console/` (recursively, sorted), as paths relative to the package root;
    /// hidden files (editor backups, `.DS_Store`) are left out.
    private func consoleFiles(under root: URL) -> [String] {
        let directory = root.appending(path: "console")
        guard let walker = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = directory.appending(path: relative).path
            guard !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }),
                FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            files.append("console/\(relative)")
        }
        return files.sorted()
    }
}
