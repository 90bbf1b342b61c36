import Foundation
import PackagePlugin

/// Compiles the web app's templates, assets and language catalogues (`web/`) into the RavnaqWeb
/// module, so the `ravnaq` binary serves them from memory and fetches nothing at run time.
/// The same tool as the migrations' (EmbedMigrations: each file's name and text as a literal).
@main
struct EmbedWebPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        try [
            embed(context, folder: "web/templates", extensions: ["mustache"], variable: "embeddedTemplates"),
            embed(context, folder: "web/assets", extensions: ["css", "js", "svg"], variable: "embeddedAssets"),
            embed(context, folder: "web/catalogue", extensions: ["json"], variable: "embeddedCatalogues"),
        ]
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
            executable: try context.tool(named: "EmbedMigrations").url,
            arguments: [output.path(), variable] + files.map { $0.path() },
            inputFiles: files,
            outputFiles: [output]
        )
    }
}
