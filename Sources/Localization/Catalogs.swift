/// The catalogs of every supported locale, and the texts they render.
///
/// Load them with ``load(directory:defaultLocale:)`` and check them once at
/// start with ``validate()``: then every key is in every locale and
/// ``text(_:locale:arguments:)`` never needs its fallbacks.
public struct Catalogs: Sendable {
    /// The locale used when a user's is not supported, and for keys another locale lacks.
    public let defaultLocale: LocaleCode
    private let catalogs: [LocaleCode: Catalog]

    /// - Throws: ``LocalizationError/Code/duplicateLocale`` when two catalogs
    ///   share a locale, ``LocalizationError/Code/missingDefaultLocale`` when
    ///   none is for `defaultLocale`.
    public init(_ catalogs: [Catalog], defaultLocale: LocaleCode = .en) throws(LocalizationError) {
        var byLocale: [LocaleCode: Catalog] = [:]
        for catalog in catalogs {
            guard byLocale.updateValue(catalog, forKey: catalog.locale) == nil else {
                throw LocalizationError(code: .duplicateLocale, message: "two catalogs are for the locale \(catalog.locale)")
            }
        }
        guard byLocale[defaultLocale] != nil else {
            let found = byLocale.keys.sorted().map(\.identifier).joined(separator: ", ")
            throw LocalizationError(
                code: .missingDefaultLocale,
                message: "there is no catalog for the default locale \(defaultLocale) (found: \(found))"
            )
        }
        self.defaultLocale = defaultLocale
        self.catalogs = byLocale
    }

    /// The supported locales, sorted.
    public var locales: [LocaleCode] {
        self.catalogs.keys.sorted()
    }

    /// Every key of any catalog, sorted.
    public var keys: [String] {
        Set(self.catalogs.values.flatMap(\.messages.keys)).sorted()
    }

    /// The catalog of `locale`, if it is supported.
    public subscript(locale: LocaleCode) -> Catalog? {
        self.catalogs[locale]
    }

    /// The text of `key` in `locale`, its placeholders filled from `arguments`.
    ///
    /// - The message comes from `locale`'s catalog, else from the default
    ///   locale's (also when `locale` is not supported); a key no catalog has
    ///   comes back as the key itself, so a gap shows instead of crashing.
    /// - A plural message takes its form from the integer argument `count`.
    ///   Without one it uses the only integer argument the message has a
    ///   placeholder for (`photos` in a text with `{photos}`); with none, or
    ///   several and no `count`, it uses `other`. The rules are those of the
    ///   locale whose text is used.
    /// - A `{name}` without an argument stays as written.
    public func text(_ key: String, locale: LocaleCode, arguments: [String: MessageArgument] = [:]) -> String {
        let catalog: Catalog
        let message: CatalogMessage
        if let own = self.catalogs[locale], let found = own[key] {
            (catalog, message) = (own, found)
        } else if let fallback = self.catalogs[self.defaultLocale], let found = fallback[key] {
            (catalog, message) = (fallback, found)
        } else {
            return key
        }
        if case .text(let text) = message, arguments.isEmpty {
            return text
        }
        let placeholders = if case .plural = message { catalog.pluralPlaceholders[key] } else { Set<String>?.none }
        let template = message.template(arguments: arguments, rules: PluralRules(locale: catalog.locale), placeholders: placeholders)
        return Template.render(template, arguments: arguments)
    }

    /// The texts of one locale, for code that handles one user at a time.
    public func localizer(for locale: LocaleCode) -> Localizer {
        Localizer(catalogs: self, locale: locale)
    }
}
