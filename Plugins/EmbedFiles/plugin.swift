import Foundation
import PackagePlugin

/// Compiles the message catalogs (`locales/*.json`) and the SQL migrations (`Migrations/*.sql`)
/// into the target as Swift string constants, so the executable carries them wherever it is
/// copied. The files stay where operators and translators edit them; a change to any of them
/// re-runs this command at the next build.
@main
struct EmbedFiles: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let locales = try Self.files(in: root.appending(path: "locales"), extension: "json")
        let migrations = try Self.files(in: root.appending(path: "Migrations"), extension: "sql")
        let output = context.pluginWorkDirectoryURL.appending(path: "BundledFiles+Generated.swift")
        let arguments = [output.path(percentEncoded: false), "--locales"] + locales.map { $0.path(percentEncoded: false) }
            + ["--migrations"] + migrations.map { $0.path(percentEncoded: false) }
        return [
            .buildCommand(
                displayName: "Embedding \(locales.count) catalogs and \(migrations.count) migrations",
                executable: try context.tool(named: "embed-files").url,
                arguments: arguments,
                inputFiles: locales + migrations,
                outputFiles: [output]
            )
        ]
    }

    private static func files(in folder: URL, extension wanted: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == wanted }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
