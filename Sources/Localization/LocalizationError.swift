/// An error from the Localization module: a catalog folder or file that
/// cannot be found, read or parsed, or catalogs that are incomplete.
///
/// The message names the file (and, for a parse error, the line and column)
/// or, for incomplete catalogs, every key and locale at fault.
public struct LocalizationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; compare against the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: Sendable, Hashable {
            case localesNotFound
            case unreadableCatalog
            case malformedCatalog
            case invalidLocaleCode
            case duplicateLocale
            case noCatalogs
            case missingDefaultLocale
            case incompleteCatalogs
        }

        fileprivate let value: Value

        /// `LOCALES_DIR` names no folder (see ``Catalogs/configuredFolder(environment:currentDirectory:)``).
        public static let localesNotFound = Code(value: .localesNotFound)
        /// The folder or a catalog file in it cannot be read.
        public static let unreadableCatalog = Code(value: .unreadableCatalog)
        /// A catalog file is not a JSON object of keys to strings or plural objects.
        public static let malformedCatalog = Code(value: .malformedCatalog)
        /// A catalog file's name is not a language tag.
        public static let invalidLocaleCode = Code(value: .invalidLocaleCode)
        /// Two catalogs are for the same locale (`pt-BR.json` and `pt_br.json`).
        public static let duplicateLocale = Code(value: .duplicateLocale)
        /// The folder holds no `.json` catalog.
        public static let noCatalogs = Code(value: .noCatalogs)
        /// There is no catalog for the default locale, which every fallback relies on.
        public static let missingDefaultLocale = Code(value: .missingDefaultLocale)
        /// ``Catalogs/validate()`` found problems; ``LocalizationError/problems`` lists them.
        public static let incompleteCatalogs = Code(value: .incompleteCatalogs)

        public var description: String {
            switch self.value {
            case .localesNotFound: "localesNotFound"
            case .unreadableCatalog: "unreadableCatalog"
            case .malformedCatalog: "malformedCatalog"
            case .invalidLocaleCode: "invalidLocaleCode"
            case .duplicateLocale: "duplicateLocale"
            case .noCatalogs: "noCatalogs"
            case .missingDefaultLocale: "missingDefaultLocale"
            case .incompleteCatalogs: "incompleteCatalogs"
            }
        }
    }

    public let code: Code
    /// What went wrong, where, and what to do about it.
    public let message: String
    /// The catalog file at fault, when there is one.
    public let file: String?
    /// Where in ``file`` a malformed catalog goes wrong.
    public let position: SourcePosition?
    /// For ``Code/incompleteCatalogs``: every problem found, also listed in ``message``.
    public let problems: [CatalogProblem]

    public init(
        code: Code,
        message: String,
        file: String? = nil,
        position: SourcePosition? = nil,
        problems: [CatalogProblem] = []
    ) {
        self.code = code
        self.message = message
        self.file = file
        self.position = position
        self.problems = problems
    }

    public var description: String {
        "\(self.code): \(self.message)"
    }
}
