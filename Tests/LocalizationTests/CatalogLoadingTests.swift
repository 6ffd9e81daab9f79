import Foundation
import Localization
import Testing

@Suite("Loading catalogs")
struct CatalogLoadingTests {
    @Test func theRepositoryCatalogsLoadAndAreComplete() throws {
        let catalogs = try TestCatalogs.real()
        #expect(catalogs.locales == [.en, .ru, .uz])
        #expect(catalogs.defaultLocale == .en)
        #expect(catalogs.missingKeys().isEmpty)
        try catalogs.validate()
    }

    /// One malformed `en.json`: its contents, then what the error must say and where.
    @Test(
        arguments: [
            ("[1, 2]", "must be a JSON object of message keys, found an array", 1, 1),
            ("", "found the end of the file", 1, 1),
            ("{\"a\": 1}", "the value of \"a\" must be a string or a plural object", 1, 7),
            ("{\"a\": [\"x\"]}", "found an array", 1, 7),
            ("{\"a\": null}", "found null", 1, 7),
            ("{\"a\": {\"one\": \"x\", \"fw\": \"y\"}}", "unknown plural category \"fw\" in \"a\"", 1, 20),
            ("{\"a\": {\"one\": 1}}", "the \"one\" form of \"a\" must be a string, found a number", 1, 15),
            ("{\"a\": {}}", "the plural object of \"a\" has no forms", 1, 7),
            ("{\"a\": \"x\",\n \"a\": \"y\"}", "the key \"a\" appears twice", 2, 2),
            ("{\"a\": \"x\",}", "expected a key in double quotes, found '}'", 1, 11),
            ("{\n  \"a\": \"x\"\n  \"b\": \"y\"\n}", "expected ',' or '}' after the value of \"a\", found a string", 3, 3),
            ("{\"a\": \"x", "the string that starts here is not closed", 1, 7),
            ("{\"a\": \"\\q\"}", "an unknown escape", 1, 8),
            ("{\"a\": \"\\ud83d\"}", "must be followed by a low one", 1, 8),
            ("{\"a\": \"tab\there\"}", "a control character in a string", 1, 11),
            ("{\"a b\": \"x\"}", "the key \"a b\" may only contain", 1, 2),
            ("{\"a\": \"x\"} {}", "an object after the end of the catalog object", 1, 12),
            ("{\"é\": \"x\"}", "the key \"é\" may only contain", 1, 2),
            // Columns count scalars, not bytes: "é" is two bytes, one column.
            ("{\"a\": \"é\", \"b\": 2}", "the value of \"b\" must be", 1, 17),
        ]
    )
    func aMalformedCatalogIsRefusedWithItsPosition(json: String, expected: String, line: Int, column: Int) throws {
        let error = try #require(TestCatalogs.error { try TestCatalogs.withFolder(["en.json": json]) { _ = try Catalogs.load(directory: $0) } })
        #expect(error.code == .malformedCatalog)
        #expect(error.message.contains(expected), "\(error.message)")
        #expect(error.file?.hasSuffix("/en.json") == true)
        #expect(error.position?.line == line, "\(error.message)")
        #expect(error.position?.column == column, "\(error.message)")
        #expect(error.message.contains("en.json, line \(line), column \(column)"))
    }

    @Test func invalidUTF8IsRefused() throws {
        let bytes = Array("{\"a\": \"".utf8) + [0xFF, 0xFE] + Array("\"}".utf8)
        let error = try #require(TestCatalogs.error { _ = try Catalog(locale: .en, json: bytes, file: "en.json") })
        #expect(error.code == .malformedCatalog)
        #expect(error.message == "en.json, line 1, column 7 (byte 6): the string that starts here is not valid UTF-8")
    }

    @Test func escapesAByteOrderMarkAndPluralObjectsAreRead() throws {
        let json = "\u{FEFF}{\"a\": \"line\\nbreak \\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\/\", \"n\": {\"one\": \"{count} x\", \"other\": \"{count} xs\"}}"
        let catalog = try Catalog(locale: .en, json: Array(json.utf8), file: "en.json")
        #expect(catalog["a"] == .text("line\nbreak é 😀 \"q\" \\ /"))
        #expect(catalog["n"] == .plural([.one: "{count} x", .other: "{count} xs"]))
        #expect(catalog["n"]?.placeholders == ["count"])
    }

    @Test func theFileNameIsTheLocaleAndOtherFilesAreIgnored() throws {
        let catalogs = try TestCatalogs.withFolder(
            ["en.json": "{\"a\": \"A\"}", "pt-BR.json": "{\"a\": \"Á\"}", "README.md": "# not a catalog", ".hidden.json": "garbage"]
        ) { try Catalogs.load(directory: $0) }
        #expect(catalogs.locales == [.en, LocaleCode("pt-BR")!])
        #expect(catalogs.text("a", locale: LocaleCode("pt-br")!) == "Á")
    }

    @Test func folderProblemsAreNamed() throws {
        let badName = TestCatalogs.error {
            try TestCatalogs.withFolder(["en.json": "{}", "english.json": "{}"]) { _ = try Catalogs.load(directory: $0) }
        }
        #expect(badName?.code == .invalidLocaleCode)
        #expect(badName?.message.contains("english.json: the file name english is not a language tag") == true)

        let twice = TestCatalogs.error {
            try TestCatalogs.withFolder(["en.json": "{}", "pt-BR.json": "{}", "pt_br.json": "{}"]) { _ = try Catalogs.load(directory: $0) }
        }
        #expect(twice?.code == .duplicateLocale)

        let empty = TestCatalogs.error { try TestCatalogs.withFolder([:]) { _ = try Catalogs.load(directory: $0) } }
        #expect(empty?.code == .noCatalogs)

        let noDefault = TestCatalogs.error { try TestCatalogs.withFolder(["ru.json": "{}"]) { _ = try Catalogs.load(directory: $0) } }
        #expect(noDefault?.code == .missingDefaultLocale)
        #expect(noDefault?.message == "there is no catalog for the default locale en (found: ru)")

        let missing = TestCatalogs.error { _ = try Catalogs.load(directory: URL(fileURLWithPath: "/nonexistent/locales")) }
        #expect(missing?.code == .unreadableCatalog)
        #expect(missing?.message.contains("/nonexistent/locales") == true)
    }

    @Test func localesDirNamesTheFolder() throws {
        try TestCatalogs.withFolder(["en.json": "{}"]) { folder in
            let found = try Catalogs.configuredFolder(environment: ["LOCALES_DIR": folder.path], currentDirectory: URL(fileURLWithPath: "/"))
            #expect(found?.standardizedFileURL.path == folder.standardizedFileURL.path)

            let relative = try Catalogs.configuredFolder(
                environment: ["LOCALES_DIR": folder.lastPathComponent],
                currentDirectory: folder.deletingLastPathComponent()
            )
            #expect(relative?.standardizedFileURL.path == folder.standardizedFileURL.path)
        }
        let notAFolder = TestCatalogs.error {
            _ = try Catalogs.configuredFolder(environment: ["LOCALES_DIR": "/nonexistent"], currentDirectory: URL(fileURLWithPath: "/"))
        }
        #expect(notAFolder?.code == .localesNotFound)
        #expect(notAFolder?.message == "LOCALES_DIR is /nonexistent, which is not a folder")
    }

    /// Unset or empty, no folder: the executable's built-in catalogs apply, wherever it runs,
    /// even from a folder that holds a `locales/` of its own.
    @Test func withoutLocalesDirNoFolderIsLookedFor() throws {
        #expect(try Catalogs.configuredFolder(environment: [:], currentDirectory: TestCatalogs.repository) == nil)
        #expect(try Catalogs.configuredFolder(environment: ["LOCALES_DIR": ""], currentDirectory: TestCatalogs.repository) == nil)
    }

    @Test func catalogsLoadFromFilesInMemory() throws {
        let catalogs = try Catalogs.load(
            files: [("en.json", Array(#"{"hello": "Hello"}"#.utf8)), ("ru.json", Array(#"{"hello": "Привет"}"#.utf8))], in: "bot-gateway")
        #expect(catalogs.locales.map(\.identifier).sorted() == ["en", "ru"])
        let bad = TestCatalogs.error { _ = try Catalogs.load(files: [("english.json", Array("{}".utf8))], in: "bot-gateway") }
        #expect(bad?.code == .invalidLocaleCode)
        #expect(bad?.message.hasPrefix("bot-gateway/english.json:") == true)
    }
}
