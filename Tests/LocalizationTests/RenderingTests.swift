import Localization
import Testing

@Suite("Rendering")
struct RenderingTests {
    static func catalogs(en: [String: CatalogMessage], ru: [String: CatalogMessage] = [:]) throws -> Catalogs {
        try Catalogs([Catalog(locale: .en, messages: en), Catalog(locale: .ru, messages: ru)])
    }

    @Test func placeholdersAreFilledInEveryLocale() throws {
        let catalogs = try TestCatalogs.real()
        let arguments: [String: MessageArgument] = ["number": "R-000981"]
        #expect(catalogs.text("request.created", locale: .en, arguments: arguments) == "Request R-000981 created.")
        #expect(catalogs.text("request.created", locale: .ru, arguments: arguments) == "Заявка R-000981 создана.")
        #expect(catalogs.text("request.created", locale: .uz, arguments: arguments) == "R-000981 raqamli ariza yaratildi.")
        #expect(
            catalogs.text("request.description.invalid", locale: .en, arguments: ["min": 10, "max": 1000, "length": 4])
                == "The description must be 10 to 1000 characters long; yours has 4. Please try again:"
        )
        #expect(catalogs.localizer(for: .uz).text("menu.greeting", ["name": "Aziz"]) == "Assalomu alaykum, Aziz! Kerakli amalni tanlang:")
    }

    @Test func aPlaceholderWithoutAnArgumentStaysVisible() throws {
        let catalogs = try TestCatalogs.real()
        #expect(catalogs.text("request.created", locale: .en) == "Request {number} created.")
        #expect(catalogs.text("shift.item", locale: .en, arguments: ["start": "09:00"]) == "09:00 – {end}, {location}")
    }

    @Test func anArgumentIsInsertedAsItIs() throws {
        let catalogs = try Self.catalogs(en: ["echo": .text("You wrote: {text} ({count})")])
        let text = catalogs.text("echo", locale: .en, arguments: ["text": "{count} and {text}", "count": -3])
        #expect(text == "You wrote: {count} and {text} (-3)")
    }

    @Test func bracesAroundAnythingButANameAreText() throws {
        let catalogs = try Self.catalogs(en: ["braces": .text("{ a } {1} {a-b} {} {{x}} {_y1}")])
        let text = catalogs.text("braces", locale: .en, arguments: ["a": "A", "1": "one", "x": "X", "_y1": "Y"])
        #expect(text == "{ a } {1} {a-b} {} {X} Y")
    }

    @Test func aMissingKeyFallsBackToTheDefaultLocaleThenToTheKey() throws {
        let catalogs = try Self.catalogs(
            en: ["only.en": .text("English {name}"), "both": .text("English")],
            ru: ["both": .text("Русский")]
        )
        #expect(catalogs.text("both", locale: .ru) == "Русский")
        #expect(catalogs.text("only.en", locale: .ru, arguments: ["name": "Ann"]) == "English Ann")
        #expect(catalogs.text("nowhere", locale: .ru) == "nowhere")
        #expect(catalogs.text("both", locale: LocaleCode("de")!) == "English")
    }

    @Test func aFallbackPluralUsesTheRulesOfTheLocaleItComesFrom() throws {
        let catalogs = try Self.catalogs(en: ["n": .plural([.one: "{count} item", .other: "{count} items"])])
        // Russian would pick "few" for 22; the English text has only one/other.
        #expect(catalogs.text("n", locale: .ru, arguments: ["count": 22]) == "22 items")
        #expect(catalogs.text("n", locale: .ru, arguments: ["count": 1]) == "1 item")
    }

    @Test func whichArgumentChoosesThePluralForm() throws {
        let catalogs = try Self.catalogs(
            en: [
                "pair": .plural([.one: "{a} and {b}: one", .other: "{a} and {b}: other"]),
                "named": .plural([.one: "{photos} photo", .other: "{photos} photos"]),
            ]
        )
        // `count` wins, even without a placeholder of its own.
        #expect(catalogs.text("pair", locale: .en, arguments: ["a": 5, "b": 6, "count": 1]) == "5 and 6: one")
        // Two integer placeholders and no `count`: ambiguous, so `other`.
        #expect(catalogs.text("pair", locale: .en, arguments: ["a": 1, "b": 1]) == "1 and 1: other")
        // One integer placeholder: it chooses; integers it does not use do not.
        #expect(catalogs.text("named", locale: .en, arguments: ["photos": 1, "total": 7]) == "1 photo")
        #expect(catalogs.text("named", locale: .en, arguments: ["photos": "1"]) == "1 photos")
        #expect(catalogs.text("named", locale: .en) == "{photos} photos")
    }
}
