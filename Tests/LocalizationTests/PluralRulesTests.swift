import Localization
import Testing

@Suite("Plural rules")
struct PluralRulesTests {
    static let counts = [0, 1, 2, 5, 11, 21, 22, 25, 111]

    @Test(arguments: [LocaleCode.en, .uz])
    func englishAndUzbekHaveOneAndOther(locale: LocaleCode) {
        let rules = PluralRules(locale: locale)
        #expect(rules.categories == [.one, .other])
        #expect(Self.counts.map(rules.category(for:)) == [.other, .one, .other, .other, .other, .other, .other, .other, .other])
    }

    @Test func russianHasOneFewManyAndOther() {
        let rules = PluralRules(locale: .ru)
        #expect(rules.categories == [.one, .few, .many, .other])
        #expect(Self.counts.map(rules.category(for:)) == [.many, .one, .few, .many, .many, .one, .few, .many, .many])
        #expect([12, 14, 101, 104, 112, 1_000_001, -1, -22].map(rules.category(for:)) == [.many, .many, .one, .few, .many, .one, .one, .few])
        #expect(PluralRules(locale: LocaleCode("ru-RU")!) == rules)
    }

    @Test func aLanguageWithoutRulesGetsOneAndOther() {
        let rules = PluralRules(locale: LocaleCode("de")!)
        #expect(rules.categories == [.one, .other])
        #expect(rules.category(for: 1) == .one)
        #expect(rules.category(for: 21) == .other)
    }

    @Test func countRequestsInTheRealCatalogs() throws {
        let catalogs = try TestCatalogs.real()
        func render(_ locale: LocaleCode) -> [String] {
            Self.counts.map { catalogs.text("count.requests", locale: locale, arguments: ["count": .int($0)]) }
        }
        #expect(
            render(.en) == [
                "0 requests", "1 request", "2 requests", "5 requests", "11 requests", "21 requests", "22 requests", "25 requests",
                "111 requests",
            ]
        )
        #expect(
            render(.ru) == [
                "0 заявок", "1 заявка", "2 заявки", "5 заявок", "11 заявок", "21 заявка", "22 заявки", "25 заявок", "111 заявок",
            ]
        )
        #expect(
            render(.uz) == [
                "0 ta ariza", "1 ta ariza", "2 ta ariza", "5 ta ariza", "11 ta ariza", "21 ta ariza", "22 ta ariza", "25 ta ariza",
                "111 ta ariza",
            ]
        )
    }

    @Test func countPhotosInTheRealCatalogs() throws {
        let catalogs = try TestCatalogs.real()
        func render(_ locale: LocaleCode) -> [String] {
            Self.counts.map { catalogs.text("count.photos", locale: locale, arguments: ["count": .int($0)]) }
        }
        #expect(render(.en) == ["0 photos", "1 photo", "2 photos", "5 photos", "11 photos", "21 photos", "22 photos", "25 photos", "111 photos"])
        #expect(
            render(.ru) == [
                "0 фотографий", "1 фотография", "2 фотографии", "5 фотографий", "11 фотографий", "21 фотография", "22 фотографии",
                "25 фотографий", "111 фотографий",
            ]
        )
        #expect(render(.uz) == Self.counts.map { "\($0) ta surat" })
    }

    @Test func theSummaryTakesItsFormFromThePhotosArgument() throws {
        let catalogs = try TestCatalogs.real()
        func summary(_ locale: LocaleCode, photos: Int) -> String {
            catalogs.text(
                "request.confirm.summary",
                locale: locale,
                arguments: ["category": "Plumbing", "description": "Water is leaking", "address": "Block 4", "photos": .int(photos)]
            )
        }
        #expect(
            summary(.en, photos: 1) == """
                Please check your request:

                Category: Plumbing
                Description: Water is leaking
                Address: Block 4
                1 photo attached

                Press Confirm to send it.
                """
        )
        #expect(summary(.en, photos: 0).contains("\n0 photos attached\n"))
        let russian = [0, 1, 2, 5, 11, 21, 22, 25, 111].map { summary(.ru, photos: $0).split(separator: "\n")[4] }
        #expect(
            russian == [
                "Прикреплено 0 фотографий", "Прикреплена 1 фотография", "Прикреплены 2 фотографии", "Прикреплено 5 фотографий",
                "Прикреплено 11 фотографий", "Прикреплена 21 фотография", "Прикреплены 22 фотографии", "Прикреплено 25 фотографий",
                "Прикреплено 111 фотографий",
            ]
        )
        #expect(summary(.uz, photos: 3).contains("\nBiriktirilgan suratlar: 3 ta\n"))
    }
}
