/// The CLDR plural rules of one language, for whole-number counts.
///
/// English and Uzbek have `one` (exactly 1) and `other`. Russian has `one`
/// (21, 101, but not 11), `few` (2–4, 22–24, but not 12–14), `many` (0, 5–20,
/// 25–30, 111…) and `other`, which CLDR keeps for fractions: a catalog must
/// still give it, but a whole number never selects it.
///
/// A language without rules here gets English's, which CLDR shares with most
/// languages that have a singular; give a new locale its own case when its
/// rules differ.
public struct PluralRules: Sendable, Hashable {
    private enum Rule: Sendable, Hashable {
        case oneOrOther
        case russian
    }

    private let rule: Rule

    /// The rules of `locale`'s language.
    public init(locale: LocaleCode) {
        switch locale.language {
        case "ru": self.rule = .russian
        default: self.rule = .oneOrOther
        }
    }

    /// The categories a plural message in this language must give, in CLDR order.
    public var categories: [PluralCategory] {
        switch self.rule {
        case .oneOrOther: [.one, .other]
        case .russian: [.one, .few, .many, .other]
        }
    }

    /// The category of `count`; a negative count takes its magnitude's.
    public func category(for count: Int) -> PluralCategory {
        let n = count.magnitude
        switch self.rule {
        case .oneOrOther:
            return n == 1 ? .one : .other
        case .russian:
            let lastDigit = n % 10
            let lastTwoDigits = n % 100
            if lastDigit == 1 && lastTwoDigits != 11 {
                return .one
            }
            if (2...4).contains(lastDigit) && !(12...14).contains(lastTwoDigits) {
                return .few
            }
            return .many
        }
    }
}
