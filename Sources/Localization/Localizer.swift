/// ``Catalogs`` bound to one locale: what a handler holds while it answers one user.
public struct Localizer: Sendable {
    /// Every locale's catalogs.
    public let catalogs: Catalogs
    /// The locale texts are asked for in; one without a catalog gets the default locale's.
    public let locale: LocaleCode

    public init(catalogs: Catalogs, locale: LocaleCode) {
        self.catalogs = catalogs
        self.locale = locale
    }

    /// The text of `key`, as ``Catalogs/text(_:locale:arguments:)`` renders it.
    public func text(_ key: String, _ arguments: [String: MessageArgument] = [:]) -> String {
        self.catalogs.text(key, locale: self.locale, arguments: arguments)
    }
}
