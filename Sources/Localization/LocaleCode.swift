/// A BCP 47 language tag naming a catalog: `en`, `ru`, `uz`, `pt-BR`.
///
/// Creating one validates it: a language subtag of 2 or 3 letters, then any
/// number of subtags of 1 to 8 letters or digits, joined by `-` (an `_`, as in
/// POSIX names like `ru_RU`, is read as `-`). Case is normalised as BCP 47
/// recommends (`PT-br` becomes `pt-BR`), so a tag compares equal however
/// Telegram, a file name or the database spells it.
public struct LocaleCode: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The normalised tag, such as `ru-RU`.
    public let identifier: String
    /// The language subtag: `ru` for `ru-RU`.
    public let language: String

    /// English, the default locale of ``Catalogs``.
    public static let en = LocaleCode(normalised: "en", language: "en")

    /// Validates and normalises `tag`; nil when it is not a language tag.
    public init?(_ tag: String) {
        // The usual tag, a bare lowercase language (`ru`, as Telegram and the database give it),
        // is already normalised: every update resolves one.
        let utf8 = tag.utf8
        if (2...3).contains(utf8.count), utf8.allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) {
            self.init(normalised: tag, language: tag)
            return
        }
        let subtags = tag.split(omittingEmptySubsequences: false) { $0 == "-" || $0 == "_" }
        guard let first = subtags.first, (2...3).contains(first.count), first.allSatisfy(Self.isASCIILetter) else {
            return nil
        }
        var normalised = [first.lowercased()]
        for subtag in subtags.dropFirst() {
            guard (1...8).contains(subtag.count), subtag.allSatisfy({ Self.isASCIILetter($0) || Self.isASCIIDigit($0) }) else {
                return nil
            }
            switch subtag.count {
            case 4 where subtag.allSatisfy(Self.isASCIILetter):
                normalised.append(subtag.prefix(1).uppercased() + subtag.dropFirst().lowercased())  // script: Latn
            case 2 where subtag.allSatisfy(Self.isASCIILetter):
                normalised.append(subtag.uppercased())  // region: RU
            default:
                normalised.append(subtag.lowercased())
            }
        }
        self.init(normalised: normalised.joined(separator: "-"), language: normalised[0])
    }

    private init(normalised: String, language: String) {
        self.identifier = normalised
        self.language = language
    }

    public var description: String { self.identifier }

    public static func < (lhs: LocaleCode, rhs: LocaleCode) -> Bool {
        lhs.identifier < rhs.identifier
    }

    private static func isASCIILetter(_ character: Character) -> Bool {
        ("a"..."z").contains(character) || ("A"..."Z").contains(character)
    }

    private static func isASCIIDigit(_ character: Character) -> Bool {
        ("0"..."9").contains(character)
    }
}
