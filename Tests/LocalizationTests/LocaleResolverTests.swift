import Localization
import Testing

@Suite("Locale codes and resolution")
struct LocaleResolverTests {
    static let supported: [LocaleCode] = [.en, .ru, .uz]

    @Test func codesAreValidatedAndNormalised() throws {
        let russian = try #require(LocaleCode("ru-RU"))
        #expect(russian.identifier == "ru-RU")
        #expect(russian.language == "ru")
        #expect(LocaleCode("PT_br")?.identifier == "pt-BR")
        #expect(LocaleCode("uz-latn-uz")?.identifier == "uz-Latn-UZ")
        #expect(LocaleCode("EN") == .en)
        for invalid in ["", "e", "english", "en-", "ru--RU", "12", "en-abcdefghi", "ру", "en US", "en.json"] {
            #expect(LocaleCode(invalid) == nil, "\(invalid)")
        }
    }

    @Test func theStoredChoiceComesFirst() {
        #expect(LocaleResolver.resolve(stored: "uz", telegram: "ru", supported: Self.supported, default: .en) == .uz)
    }

    @Test func thenTelegramsLanguageCodeByItsLanguage() {
        #expect(LocaleResolver.resolve(stored: nil, telegram: "ru", supported: Self.supported, default: .en) == .ru)
        #expect(LocaleResolver.resolve(stored: nil, telegram: "ru-RU", supported: Self.supported, default: .en) == .ru)
        #expect(LocaleResolver.resolve(stored: nil, telegram: "UZ", supported: Self.supported, default: .en) == .uz)
        // A stored language no longer supported does not block Telegram's.
        #expect(LocaleResolver.resolve(stored: "fr", telegram: "ru", supported: Self.supported, default: .en) == .ru)
    }

    @Test func thenTheDefault() {
        #expect(LocaleResolver.resolve(stored: nil, telegram: nil, supported: Self.supported, default: .en) == .en)
        #expect(LocaleResolver.resolve(stored: nil, telegram: "de", supported: Self.supported, default: .en) == .en)
        #expect(LocaleResolver.resolve(stored: "??", telegram: "", supported: Self.supported, default: .en) == .en)
        #expect(LocaleResolver.resolve(stored: nil, telegram: "de", supported: Self.supported, default: .uz) == .uz)
    }

    @Test func aRegionalTagPrefersTheExactThenTheBareLanguage() throws {
        let brazil = try #require(LocaleCode("pt-BR"))
        let portuguese = try #require(LocaleCode("pt"))
        #expect(LocaleResolver.match("pt-br", in: [brazil, portuguese]) == brazil)
        #expect(LocaleResolver.match("pt-PT", in: [brazil, portuguese]) == portuguese)
        #expect(LocaleResolver.match("pt", in: [brazil]) == brazil)
        #expect(LocaleResolver.match("es", in: [brazil, portuguese]) == nil)
    }
}
