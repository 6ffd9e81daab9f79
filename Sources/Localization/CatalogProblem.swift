/// One thing ``Catalogs/validate()`` found wrong with one key in one locale.
public struct CatalogProblem: Sendable, Hashable, CustomStringConvertible {
    /// The message key, such as `request.created`.
    public var key: String
    /// The locale whose catalog is at fault.
    public var locale: LocaleCode
    /// What is wrong.
    public var message: String

    public init(key: String, locale: LocaleCode, message: String) {
        self.key = key
        self.locale = locale
        self.message = message
    }

    public var description: String {
        "\(self.locale).json \(self.key): \(self.message)"
    }
}
