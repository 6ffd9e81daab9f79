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
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil, options: .skipsHiddenFiles)
                .filter { $0.pathExtension == "json" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw LocalizationError(
                code: .unreadableCatalog,
                message: "cannot read the locales folder \(directory.path): \(error.localizedDescription)",
                file: directory.path
            )
        }
        guard !files.isEmpty else {
            throw LocalizationError(code: .noCatalogs, message: "the locales folder \(directory.path) has no .json catalog", file: directory.path)
        }
        var catalogs: [Catalog] = []
        for file in files {
            let name = file.deletingPathExtension().lastPathComponent
            guard let locale = LocaleCode(name) else {
                throw LocalizationError(
                    code: .invalidLocaleCode,
                    message: "\(file.path): the file name \(name) is not a language tag such as en, ru or pt-BR",
                    file: file.path
                )
            }
            if let other = catalogs.first(where: { $0.locale == locale }) {
                throw LocalizationError(
                    code: .duplicateLocale,
                    message: "\(file.path): a second catalog for \(other.locale) in \(directory.path)",
                    file: file.path
                )
            }
            let bytes: [UInt8]
            do {
                bytes = Array(try Data(contentsOf: file))
            } catch {
                throw LocalizationError(code: .unreadableCatalog, message: "cannot read \(file.path): \(error.localizedDescription)", file: file.path)
            }
            catalogs.append(try Catalog(locale: locale, json: bytes, file: file.path))
        }
        return try Catalogs(catalogs, defaultLocale: defaultLocale)
    }

    /// The locales folder: `LOCALES_DIR` when set; else `locales` in
    /// `currentDirectory`; else the first `locales` found walking up from the
    /// executable's folder, so `.build/release/bot-gateway` finds the
    /// repository's `locales/` from whatever directory it is started in.
    ///
    /// - Throws: ``LocalizationError/Code/localesNotFound`` listing where it
    ///   looked, or when `LOCALES_DIR` is not a folder.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true),
        executable: URL? = Bundle.main.executableURL
    ) throws(LocalizationError) -> URL {
        if let configured = environment["LOCALES_DIR"], !configured.isEmpty {
            let folder = URL(fileURLWithPath: configured, isDirectory: true, relativeTo: currentDirectory).standardizedFileURL
            guard Self.isFolder(folder.path) else {
                throw LocalizationError(code: .localesNotFound, message: "LOCALES_DIR is \(configured), which is not a folder")
            }
            return folder
        }
        var searched: [String] = []
        var candidates = [currentDirectory.standardizedFileURL.path]
        if let executable {
            candidates += Self.folders(above: executable.resolvingSymlinksInPath().path)
        }
        for folder in candidates {
            let locales = (folder as NSString).appendingPathComponent("locales")
            if Self.isFolder(locales) {
                return URL(fileURLWithPath: locales, isDirectory: true)
            }
            searched.append(locales)
        }
        throw LocalizationError(
            code: .localesNotFound,
            message: "no locales folder; set LOCALES_DIR (looked for \(searched.joined(separator: ", ")))"
        )
    }

    /// The folders containing `path`, nearest first, up to `/`.
    private static func folders(above path: String) -> [String] {
        var folders: [String] = []
        var current = path
        while current != "/" && !current.isEmpty {
            current = (current as NSString).deletingLastPathComponent
            folders.append(current)
        }
        return folders
    }

    private static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
