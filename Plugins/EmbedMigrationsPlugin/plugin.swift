import Foundation
import PackagePlugin

/// Compiles the package's `sql/` migrations, `sql/definitions/` definition files and `seed/` demo
/// data into the RavnaqCore module, so the `ravnaq` binary carries its schema and demo and works
/// from any directory.
@main
struct EmbedMigrationsPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        try [
            embed(context, folder: "sql", extension: "sql", variable: "embeddedMigrations"),
            embed(context, folder: "sql/definitions", extension: "sql", variable: "embeddedDefinitions"),
            embed(context, folder: "seed", extension: "json", variable: "embeddedSeed"),
        ]
    }

    private func embed(_ context: PluginContext, folder: String, extension: String, variable: String) throws -> Command {
        let directory = context.package.directoryURL.appending(path: folder)
        let files = try FileManager.default
            .contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == `extension` }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "\(variable).swift")
        return .buildCommand(
            displayName: "Embedding \(files.count) files of \(folder)/",
            executable: try context.tool(named: "EmbedMigrations").url,
            arguments: [output.path(), variable] + files.map { $0.path() },
            inputFiles: files,
            outputFiles: [output]
        )
    }
}
