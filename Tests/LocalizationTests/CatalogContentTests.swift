import Foundation
import Localization
import Testing

/// The real catalogs hold what uk-bot-flows.md says, and real translations.
@Suite("Catalog content")
struct CatalogContentTests {
    @Test func englishButtonLabelsAreExactlyAsSpecified() throws {
        let catalogs = try TestCatalogs.real()
        let labels = [
            "button.create_request": "Create request", "button.my_requests": "My requests", "button.request_status": "Request status",
            "button.language": "Language", "button.my_shifts": "My shifts", "button.take_shift": "Take shift", "button.admin": "Admin",
            "button.back": "Back", "button.cancel": "Cancel", "button.skip": "Skip", "button.confirm": "Confirm", "button.day": "Day",
            "button.week": "Week", "button.month": "Month", "button.previous": "Previous", "button.next": "Next",
            "button.details": "Details", "language.name.en": "English", "language.name.ru": "Русский", "language.name.uz": "O‘zbekcha",
        ]
        for (key, label) in labels {
            #expect(catalogs.text(key, locale: .en) == label, "\(key)")
        }
    }

    @Test func englishFlowTextsAreExactlyAsSpecified() throws {
        let catalogs = try TestCatalogs.real()
        let texts = [
            "request.category.prompt": "Choose a category:",
            "request.description.prompt": "Describe the problem (10 to 1000 characters):",
            "request.address.prompt": "Enter the address (building, apartment):",
            "request.photo.prompt": "Send a photo of the problem, or press Skip.",
            "common.cancelled": "Cancelled.",
            "conversation.expired": "This conversation has expired.",
            "error.forbidden": "You don't have access to this command.",
            "shift.conflict": "Someone else took this shift.",
        ]
        for (key, text) in texts {
            #expect(catalogs.text(key, locale: .en) == text, "\(key)")
        }
        #expect(catalogs.text("request.created", locale: .en, arguments: ["number": "R-000981"]) == "Request R-000981 created.")
        #expect(catalogs.text("menu.greeting", locale: .en, arguments: ["name": "John"]).hasPrefix("Hello, John!"))
    }

    @Test func everyCommandHasAHelpDescription() throws {
        let catalogs = try TestCatalogs.real()
        let commands = [
            "start", "help", "menu", "language", "cancel", "create_request", "my_requests", "request_status", "my_shifts",
            "shift_schedule", "take_shift", "analytics", "users",
        ]
        for command in commands {
            #expect(catalogs.locales(missing: "help.command.\(command)").isEmpty, "\(command)")
        }
    }

    @Test func languageNamesAreTheSameInEveryLocale() throws {
        let catalogs = try TestCatalogs.real()
        for locale in catalogs.locales {
            #expect(catalogs.text("language.name.ru", locale: locale) == "Русский")
            #expect(catalogs.text("language.name.uz", locale: locale) == "O‘zbekcha")
        }
    }

    /// Every Russian and Uzbek text differs from the English one, except the
    /// language names and texts that are only placeholders and punctuation.
    @Test(arguments: [LocaleCode.ru, .uz])
    func textsAreTranslated(locale: LocaleCode) throws {
        let catalogs = try TestCatalogs.real()
        let english = try #require(catalogs[.en])
        let translated = try #require(catalogs[locale])
        for (key, message) in translated.messages where !key.hasPrefix("language.name.") {
            guard Self.words(message) else { continue }
            #expect(message != english[key], "\(locale) \(key) is the English text")
        }
    }

    @Test func uzbekUsesTheTurnedCommaAndApostrophe() throws {
        let catalogs = try TestCatalogs.real()
        let uzbek = try #require(catalogs[.uz])
        for (key, message) in uzbek.messages {
            for text in Self.texts(message) {
                #expect(!text.contains("'") && !text.contains("`") && !text.contains("ʻ"), "uz \(key): \(text)")
            }
        }
        #expect(catalogs.text("button.skip", locale: .uz) == "O‘tkazib yuborish")
    }

    /// A button a Russian or Uzbek text names in «quotes» has that label in the same locale.
    @Test(arguments: [LocaleCode.ru, .uz])
    func quotedButtonNamesAreTheButtonLabels(locale: LocaleCode) throws {
        let catalogs = try TestCatalogs.real()
        let catalog = try #require(catalogs[locale])
        let labels = Set(catalog.messages.filter { $0.key.hasPrefix("button.") }.flatMap { Self.texts($0.value) })
        for (key, message) in catalog.messages {
            for text in Self.texts(message) {
                for quoted in text.split(separator: "«").dropFirst() {
                    let name = String(quoted.prefix { $0 != "»" })
                    #expect(labels.contains(name), "\(locale) \(key) quotes «\(name)», which is no button label")
                }
            }
        }
    }

    private static func texts(_ message: CatalogMessage) -> [String] {
        switch message {
        case .text(let text): [text]
        case .plural(let forms): Array(forms.values)
        }
    }

    /// Whether the message has letters outside its placeholders.
    private static func words(_ message: CatalogMessage) -> Bool {
        Self.texts(message).contains { text in
            var withoutPlaceholders = text
            for name in message.placeholders {
                withoutPlaceholders = withoutPlaceholders.replacingOccurrences(of: "{\(name)}", with: "")
            }
            return withoutPlaceholders.contains { $0.isLetter }
        }
    }
}
