import Foundation

extension Catalogs {
    /// Reads every `*.json` file of `directory` as a catalog; the file name
    /// without `.json` is its locale (`uz.json`, `pt-BR.json`). Other files
    /// (a `README.md`) are ignored.
    ///
    /// Completeness is ``validate()``'s job: loading succeeds with a key
    /// missing from one locale.
    ///
    /// - Throws: ``LocalizationError`` naming the file: unreadable, a name
    ///   that is not a language tag, malformed (with line and column), two
    ///   files for one locale, no catalogs at all, or none for `defaultLocale`.
    public static func load(directory: URL, defaultLocale: LocaleCode = .en) throws(LocalizationError) -> Catalogs {
        let urls: [URL]
        do {
            urls = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil, options: .skipsHiddenFiles)
                .filter { $0.pathExtension == "json" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw LocalizationError(
                code: .unreadableCatalog,
                message: "cannot read the locales folder \(directory.path): \(error.localizedDescription)",
                file: directory.path
            )
        }
        var files: [(name: String, bytes: [UInt8])] = []
        for url in urls {
            do {
                files.append((url.lastPathComponent, Array(try Data(contentsOf: url))))
            } catch {
                throw LocalizationError(code: .unreadableCatalog, message: "cannot read \(url.path): \(error.localizedDescription)", file: url.path)
            }
        }
        return try load(files: files, in: directory.path, defaultLocale: defaultLocale)
    }

    /// Reads catalogs given as files in memory, such as those built into the executable: each
    /// `name` is a file name like `uz.json`, `origin` says where they came from in messages.
    ///
    /// - Throws: ``LocalizationError`` as ``load(directory:defaultLocale:)`` does.
    public static func load(files: [(name: String, bytes: [UInt8])], in origin: String, defaultLocale: LocaleCode = .en) throws(LocalizationError) -> Catalogs {
        guard !files.isEmpty else {
            throw LocalizationError(code: .noCatalogs, message: "the locales folder \(origin) has no .json catalog", file: origin)
        }
        var catalogs: [Catalog] = []
        for (fileName, bytes) in files {
            let path = (origin as NSString).appendingPathComponent(fileName)
            let name = (fileName as NSString).deletingPathExtension
            guard let locale = LocaleCode(name) else {
                throw LocalizationError(
                    code: .invalidLocaleCode,
                    message: "\(path): the file name \(name) is not a language tag such as en, ru or pt-BR",
                    file: path
                )
            }
            if let other = catalogs.first(where: { $0.locale == locale }) {
                throw LocalizationError(
                    code: .duplicateLocale,
                    message: "\(path): a second catalog for \(other.locale) in \(origin)",
                    file: path
                )
            }
            catalogs.append(try Catalog(locale: locale, json: bytes, file: path))
        }
        return try Catalogs(catalogs, defaultLocale: defaultLocale)
    }

    /// The locales folder `LOCALES_DIR` names (relative to `currentDirectory`), or nil when it is
    /// not set: then the executable's own catalogs apply.
    ///
    /// - Throws: ``LocalizationError/Code/localesNotFound`` when `LOCALES_DIR` is not a folder.
    public static func configuredFolder(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
    ) throws(LocalizationError) -> URL? {
        guard let configured = environment["LOCALES_DIR"], !configured.isEmpty else { return nil }
        let folder = URL(fileURLWithPath: configured, isDirectory: true, relativeTo: currentDirectory).standardizedFileURL
        guard Self.isFolder(folder.path) else {
            throw LocalizationError(code: .localesNotFound, message: "LOCALES_DIR is \(configured), which is not a folder")
        }
        return folder
    }

    private static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
