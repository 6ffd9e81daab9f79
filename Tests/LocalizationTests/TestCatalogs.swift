import Foundation
import Localization
import Testing

/// The repository's catalogs, and scratch folders of hand-written ones.
enum TestCatalogs {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The repository's `locales/` folder.
    static let directory = repository.appendingPathComponent("locales", isDirectory: true)

    static func real() throws -> Catalogs {
        try Catalogs.load(directory: directory)
    }

    /// A fresh folder holding `files` (name → contents), removed after `body`.
    static func withFolder<Result>(_ files: [String: String], _ body: (URL) throws -> Result) throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("locales-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, contents) in files {
            try Data(contents.utf8).write(to: folder.appendingPathComponent(name))
        }
        return try body(folder)
    }

    /// The error `body` throws, which must be a ``LocalizationError``.
    static func error(_ body: () throws -> Void) -> LocalizationError? {
        do {
            try body()
            return nil
        } catch {
            return error as? LocalizationError
        }
    }
}

extension LocaleCode {
    static let ru = LocaleCode("ru")!
    static let uz = LocaleCode("uz")!
}
