import Foundation
import PackagePlugin

/// Compiles files of the package into a module as Swift string literals, so the `ravnaq` binary
/// carries them and works from any directory, fetching nothing at run time:
/// - into RavnaqCore: the `sql/` migrations, the `sql/definitions/` definition files and the
///   `seed/` demo data;
/// - into RavnaqWeb: the web app's templates, assets and language catalogues (`web/`).
@main
struct EmbedFilesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        switch target.name {
        case "RavnaqWeb":
            try [
                embed(context, folder: "web/templates", extensions: ["mustache"], variable: "embeddedTemplates"),
                embed(context, folder: "web/assets", extensions: ["css", "js", "svg"], variable: "embeddedAssets"),
                embed(context, folder: "web/catalogue", extensions: ["json"], variable: "embeddedCatalogues"),
            ]
        default:
            try [
                embed(context, folder: "sql", extensions: ["sql"], variable: "embeddedMigrations"),
                embed(context, folder: "sql/definitions", extensions: ["sql"], variable: "embeddedDefinitions"),
                embed(context, folder: "seed", extensions: ["json"], variable: "embeddedSeed"),
            ]
        }
    }

    private func embed(_ context: PluginContext, folder: String, extensions: Set<String>, variable: String) throws -> Command {
        let directory = context.package.directoryURL.appending(path: folder)
        let files = try FileManager.default
            .contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { extensions.contains($0.pathExtension) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "\(variable).swift")
        return .buildCommand(
            displayName: "Embedding \(files.count) files of \(folder)/",
            executable: try context.tool(named: "EmbedFiles").url,
            arguments: [output.path(), variable] + files.map { $0.path() },
            inputFiles: files,
            outputFiles: [output]
        )
    }
}
