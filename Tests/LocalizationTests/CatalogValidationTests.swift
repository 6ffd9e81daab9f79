import Localization
import Testing

@Suite("Validating catalogs")
struct CatalogValidationTests {
    static func catalogs(en: [String: CatalogMessage], ru: [String: CatalogMessage]) throws -> Catalogs {
        try Catalogs([Catalog(locale: .en, messages: en), Catalog(locale: .ru, messages: ru)])
    }

    @Test func agreeingCatalogsPass() throws {
        let catalogs = try Self.catalogs(
            en: ["hello": .text("Hello, {name}!"), "n": .plural([.one: "one item", .other: "{count} items"])],
            ru: [
                "hello": .text("Привет, {name}!"),
                "n": .plural([.one: "{count} штука", .few: "{count} штуки", .many: "{count} штук", .other: "{count} штуки"]),
            ]
        )
        try catalogs.validate()
    }

    @Test func aMissingKeyIsNamedWithItsLocale() throws {
        let catalogs = try Self.catalogs(
            en: ["a": .text("A"), "b": .text("B")],
            ru: ["a": .text("А"), "c": .text("В")]
        )
        #expect(catalogs.missingKeys() == [MissingKey(key: "b", locale: .ru), MissingKey(key: "c", locale: .en)])
        #expect(catalogs.locales(missing: "b") == [.ru])
        #expect(catalogs.locales(missing: "a").isEmpty)
        #expect(catalogs.locales(missing: "nowhere") == [.en, .ru])

        let error = try #require(TestCatalogs.error { try catalogs.validate() })
        #expect(error.code == .incompleteCatalogs)
        #expect(
            error.problems == [
                CatalogProblem(key: "b", locale: .ru, message: "missing (present in en)"),
                CatalogProblem(key: "c", locale: .en, message: "missing (present in ru)"),
            ]
        )
        #expect(error.message == "the catalogs have 2 problem(s):\nru.json b: missing (present in en)\nen.json c: missing (present in ru)")
    }

    @Test func placeholdersMustMatchTheDefaultLocale() throws {
        let catalogs = try Self.catalogs(
            en: ["hello": .text("Hello, {name}! {count}")],
            ru: ["hello": .text("Привет, {nmae}! {count}")]
        )
        let error = try #require(TestCatalogs.error { try catalogs.validate() })
        #expect(
            error.problems == [
                CatalogProblem(key: "hello", locale: .ru, message: "placeholders {count}, {nmae} differ from en's {count}, {name}")
            ]
        )
    }

    @Test func pluralObjectsNeedTheirLocalesCategoriesAndNoOthers() throws {
        let catalogs = try Self.catalogs(
            en: ["n": .plural([.one: "{count} item", .few: "{count} items", .other: "{count} items"])],
            ru: ["n": .plural([.one: "{count} штука", .other: "{count} штуки"])]
        )
        let error = try #require(TestCatalogs.error { try catalogs.validate() })
        #expect(
            error.problems == [
                CatalogProblem(key: "n", locale: .en, message: "plural form(s) few never chosen; en uses one, other"),
                CatalogProblem(key: "n", locale: .ru, message: "plural form(s) few, many missing; ru needs one, few, many, other"),
            ]
        )
    }

    @Test func anEmptyTextIsAProblem() throws {
        let catalogs = try Self.catalogs(en: ["a": .text("A")], ru: ["a": .text(" \n")])
        let error = try #require(TestCatalogs.error { try catalogs.validate() })
        #expect(error.problems == [CatalogProblem(key: "a", locale: .ru, message: "empty text; Telegram refuses an empty message")])
    }

    @Test func aKeyMissingFromALoadedFileIsNamed() throws {
        let error = try TestCatalogs.withFolder(
            ["en.json": "{\"a\": \"A\", \"b\": \"B {x}\"}", "uz.json": "{\"a\": \"A’\"}"]
        ) { folder in
            let catalogs = try Catalogs.load(directory: folder)
            return TestCatalogs.error { try catalogs.validate() }
        }
        #expect(error?.message.contains("uz.json b: missing (present in en)") == true)
    }
}
